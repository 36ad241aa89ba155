# fuse.bridge.FuseProvider — the bridge's entry point. The manifest fuse patches declares it
# with initOrder MAX_INT, so Android creates it before Application.onCreate. It loads
# libfusepin, hands it assets/fuse/policy.bin, and inserts FuseSecurityProvider at
# position 1 so every TrustManagerFactory of the default algorithm wraps the platform's.
# It must never crash the app: any failure of its own is logged and leaves the platform
# alone (a corrupt policy is the library's business: it fails closed where it must).
.class public Lfuse/bridge/FuseProvider;
.super Landroid/content/ContentProvider;

# The application context (broadcasts, toasts), the resumed activity (dialogs), a dialog
# waiting for an activity, and the platform's TrustManagerFactory algorithm + provider.
.field static sContext:Landroid/content/Context;
.field static volatile sActivity:Landroid/app/Activity;
.field static sPending:Lfuse/bridge/FuseResponse;
.field static sAlgorithm:Ljava/lang/String;
.field static sPlatform:Ljava/security/Provider;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

.method public onCreate()Z
    .locals 3
    :try_start
    invoke-virtual {p0}, Lfuse/bridge/FuseProvider;->getContext()Landroid/content/Context;
    move-result-object v0
    invoke-static {v0}, Lfuse/bridge/FuseProvider;->install(Landroid/content/Context;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed
    :done
    const/4 v0, 0x1
    return v0
    :failed
    move-exception v0
    const-string v1, "fuse"
    const-string v2, "certificate pinning not installed"
    invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    goto :done
.end method

.method static install(Landroid/content/Context;)V
    .locals 4
    const-string v0, "fusepin"
    invoke-static {v0}, Ljava/lang/System;->loadLibrary(Ljava/lang/String;)V
    invoke-static {}, Lfuse/bridge/FuseNative;->version()I
    move-result v0
    const/4 v1, 0x1
    if-eq v0, v1, :version_ok
    const-string v0, "fuse"
    const-string v1, "libfusepin speaks another bridge ABI; certificate pinning not installed"
    invoke-static {v0, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;)I
    return-void

    :version_ok
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationContext()Landroid/content/Context;
    move-result-object v0
    if-nez v0, :have_context
    move-object v0, p0
    :have_context
    sput-object v0, Lfuse/bridge/FuseProvider;->sContext:Landroid/content/Context;

    # The policy: the library keeps it for the life of the process.
    invoke-virtual {p0}, Landroid/content/Context;->getAssets()Landroid/content/res/AssetManager;
    move-result-object v1
    const-string v2, "fuse/policy.bin"
    invoke-virtual {v1, v2}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
    move-result-object v1
    invoke-static {v1}, Lfuse/bridge/FuseProvider;->readAll(Ljava/io/InputStream;)[B
    move-result-object v1
    invoke-static {v1}, Lfuse/bridge/FuseNative;->init([B)Z
    move-result v1
    if-nez v1, :policy_ok
    const-string v1, "fuse"
    const-string v2, "fuse/policy.bin is invalid; pinned hosts fail closed in defense mode"
    invoke-static {v1, v2}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;)I
    :policy_ok

    # Dialogs need an activity: follow the resumed one.
    instance-of v1, v0, Landroid/app/Application;
    if-eqz v1, :no_application
    check-cast v0, Landroid/app/Application;
    new-instance v1, Lfuse/bridge/FuseActivityWatcher;
    invoke-direct {v1}, Lfuse/bridge/FuseActivityWatcher;-><init>()V
    invoke-virtual {v0, v1}, Landroid/app/Application;->registerActivityLifecycleCallbacks(Landroid/app/Application$ActivityLifecycleCallbacks;)V
    :no_application

    # The platform's factory, taken BEFORE our provider goes in (on Android 7+ it is the
    # network security config's, so the app's own config keeps applying underneath).
    invoke-static {}, Ljavax/net/ssl/TrustManagerFactory;->getDefaultAlgorithm()Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Ljavax/net/ssl/TrustManagerFactory;->getInstance(Ljava/lang/String;)Ljavax/net/ssl/TrustManagerFactory;
    move-result-object v1
    invoke-virtual {v1}, Ljavax/net/ssl/TrustManagerFactory;->getProvider()Ljava/security/Provider;
    move-result-object v1
    sput-object v0, Lfuse/bridge/FuseProvider;->sAlgorithm:Ljava/lang/String;
    sput-object v1, Lfuse/bridge/FuseProvider;->sPlatform:Ljava/security/Provider;
    new-instance v1, Lfuse/bridge/FuseSecurityProvider;
    invoke-direct {v1, v0}, Lfuse/bridge/FuseSecurityProvider;-><init>(Ljava/lang/String;)V
    const/4 v2, 0x1
    invoke-static {v1, v2}, Ljava/security/Security;->insertProviderAt(Ljava/security/Provider;I)I
    return-void
.end method

.method static readAll(Ljava/io/InputStream;)[B
    .locals 4
    new-instance v0, Ljava/io/ByteArrayOutputStream;
    invoke-direct {v0}, Ljava/io/ByteArrayOutputStream;-><init>()V
    const/16 v1, 0x1000
    new-array v1, v1, [B
    :loop
    invoke-virtual {p0, v1}, Ljava/io/InputStream;->read([B)I
    move-result v2
    if-ltz v2, :eof
    const/4 v3, 0x0
    invoke-virtual {v0, v1, v3, v2}, Ljava/io/ByteArrayOutputStream;->write([BII)V
    goto :loop
    :eof
    invoke-virtual {p0}, Ljava/io/InputStream;->close()V
    invoke-virtual {v0}, Ljava/io/ByteArrayOutputStream;->toByteArray()[B
    move-result-object v0
    return-object v0
.end method

# The provider serves no data: every ContentProvider operation is empty.
.method public query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    .locals 1
    const/4 v0, 0x0
    return-object v0
.end method

.method public getType(Landroid/net/Uri;)Ljava/lang/String;
    .locals 1
    const/4 v0, 0x0
    return-object v0
.end method

.method public insert(Landroid/net/Uri;Landroid/content/ContentValues;)Landroid/net/Uri;
    .locals 1
    const/4 v0, 0x0
    return-object v0
.end method

.method public delete(Landroid/net/Uri;Ljava/lang/String;[Ljava/lang/String;)I
    .locals 1
    const/4 v0, 0x0
    return v0
.end method

.method public update(Landroid/net/Uri;Landroid/content/ContentValues;Ljava/lang/String;[Ljava/lang/String;)I
    .locals 1
    const/4 v0, 0x0
    return v0
.end method
