package android.content;

import android.net.Uri;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stub: keeps what the bridge puts in, for the harness to record. */
public class Intent {
    public final String action;
    public final Uri data;
    public String targetPackage;
    public int flags;
    public final Map<String, String> extras = new LinkedHashMap<>();
    public int stringExtraCalls;

    public Intent(String action) { this(action, null); }
    public Intent(String action, Uri data) { this.action = action; this.data = data; }

    public Intent setPackage(String packageName) { targetPackage = packageName; return this; }
    public Intent addFlags(int f) { flags |= f; return this; }
    public Intent putExtra(String key, String value) { stringExtraCalls++; extras.put(key, value); return this; }
}
