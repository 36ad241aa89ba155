package android.content;

import android.content.res.AssetManager;

/** Stub: the Context methods the bridge calls; the harness subclasses it. */
public abstract class Context {
    public abstract Context getApplicationContext();
    public abstract AssetManager getAssets();
    public abstract String getPackageName();
    public abstract void sendBroadcast(Intent intent);
    public abstract void startActivity(Intent intent);
}
