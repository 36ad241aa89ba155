package android.app;

import android.content.Context;
import android.content.DialogInterface;
import java.util.ArrayList;
import java.util.List;

/** Stub: show() hands the built dialog to the harness, which may click a button. */
public class AlertDialog implements DialogInterface {
    public static volatile java.util.function.Consumer<AlertDialog> onShow = d -> {};

    public CharSequence title;
    public CharSequence message;
    public boolean cancelable = true;
    /** Index 0 positive, 1 negative, 2 neutral; null when absent. */
    public final CharSequence[] labels = new CharSequence[3];
    public final OnClickListener[] listeners = new OnClickListener[3];

    /** Clicks button 0/1/2 as Android would (which = -1/-2/-3). */
    public void click(int index) { listeners[index].onClick(this, -1 - index); }

    public static class Builder {
        private final AlertDialog d = new AlertDialog();

        public Builder(Context context) {}

        public Builder setTitle(CharSequence t) { d.title = t; return this; }
        public Builder setMessage(CharSequence m) { d.message = m; return this; }
        public Builder setCancelable(boolean c) { d.cancelable = c; return this; }
        public Builder setPositiveButton(CharSequence l, OnClickListener o) { return button(0, l, o); }
        public Builder setNegativeButton(CharSequence l, OnClickListener o) { return button(1, l, o); }
        public Builder setNeutralButton(CharSequence l, OnClickListener o) { return button(2, l, o); }

        private Builder button(int i, CharSequence l, OnClickListener o) { d.labels[i] = l; d.listeners[i] = o; return this; }

        public AlertDialog show() { onShow.accept(d); return d; }
    }
}
