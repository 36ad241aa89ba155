package android.app;

import android.content.Context;
import android.content.Intent;
import android.content.res.AssetManager;

/** Stub: an activity of the harness's application. */
public class Activity extends Context {
    private final Context app;
    public boolean finishedAffinity;

    public Activity(Context app) { this.app = app; }

    public void finishAffinity() { finishedAffinity = true; }

    @Override public Context getApplicationContext() { return app; }
    @Override public AssetManager getAssets() { return app.getAssets(); }
    @Override public String getPackageName() { return app.getPackageName(); }
    @Override public void sendBroadcast(Intent intent) { app.sendBroadcast(intent); }
    @Override public void startActivity(Intent intent) { app.startActivity(intent); }
}
