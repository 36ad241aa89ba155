package android.util;

/** Stub: log lines go to the harness's record. */
public final class Log {
    public interface Sink { void line(String level, String tag, String msg, Throwable tr); }

    public static volatile Sink sink = (level, tag, msg, tr) -> System.err.println(level + "/" + tag + ": " + msg);

    public static int e(String tag, String msg) { sink.line("E", tag, msg, null); return 0; }
    public static int e(String tag, String msg, Throwable tr) { sink.line("E", tag, msg, tr); return 0; }
    public static int w(String tag, String msg) { sink.line("W", tag, msg, null); return 0; }
    public static int i(String tag, String msg) { sink.line("I", tag, msg, null); return 0; }
}
