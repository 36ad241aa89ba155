package android.os;

/** Stub (only named in callback signatures). */
public final class Bundle {}
