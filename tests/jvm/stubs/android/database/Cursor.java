package android.database;

/** Stub (only named in ContentProvider signatures). */
public interface Cursor {}
