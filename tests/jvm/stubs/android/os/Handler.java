package android.os;

/** Stub: runs posted work at once (the harness has no event loop). */
public class Handler {
    public Handler(Looper looper) {}

    public boolean post(Runnable r) { r.run(); return true; }
}
