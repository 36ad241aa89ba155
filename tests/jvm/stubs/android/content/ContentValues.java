package android.content;

/** Stub (only named in ContentProvider signatures). */
public final class ContentValues {}
