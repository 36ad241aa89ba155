package android.os;

/** Stub: fixed device values the harness checks in threat events. */
public class Build {
    public static final String MODEL = "Harness Phone";
    public static final String MANUFACTURER = "Fuse Test Devices";
    public static final String BRAND = "fusetest";

    public static class VERSION {
        public static final int SDK_INT = 34;
        public static final String RELEASE = "14";
    }
}
