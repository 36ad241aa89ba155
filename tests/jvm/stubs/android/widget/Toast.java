package android.widget;

import android.content.Context;

/** Stub: show() hands the text to the harness. */
public class Toast {
    public static final int LENGTH_SHORT = 0;
    public static final int LENGTH_LONG = 1;
    public static volatile java.util.function.Consumer<CharSequence> onShow = t -> {};

    private final CharSequence text;

    private Toast(CharSequence text) { this.text = text; }

    public static Toast makeText(Context context, CharSequence text, int duration) { return new Toast(text); }

    public void show() { onShow.accept(text); }
}
