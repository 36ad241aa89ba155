# TrustManagerFactorySpi of FuseSecurityProvider: delegates to the platform's factory
# (taken by FuseProvider before the insertion) and wraps each X509TrustManager it makes.
# Public with a public constructor: java.security.Provider instantiates it by name.
.class public final Lfuse/bridge/FuseTrustManagerFactory;
.super Ljavax/net/ssl/TrustManagerFactorySpi;

.field private final delegate:Ljavax/net/ssl/TrustManagerFactory;

.method public constructor <init>()V
    .locals 2
    invoke-direct {p0}, Ljavax/net/ssl/TrustManagerFactorySpi;-><init>()V
    sget-object v0, Lfuse/bridge/FuseProvider;->sAlgorithm:Ljava/lang/String;
    sget-object v1, Lfuse/bridge/FuseProvider;->sPlatform:Ljava/security/Provider;
    invoke-static {v0, v1}, Ljavax/net/ssl/TrustManagerFactory;->getInstance(Ljava/lang/String;Ljava/security/Provider;)Ljavax/net/ssl/TrustManagerFactory;
    move-result-object v0
    iput-object v0, p0, Lfuse/bridge/FuseTrustManagerFactory;->delegate:Ljavax/net/ssl/TrustManagerFactory;
    return-void
.end method

.method protected engineInit(Ljava/security/KeyStore;)V
    .locals 1
    iget-object v0, p0, Lfuse/bridge/FuseTrustManagerFactory;->delegate:Ljavax/net/ssl/TrustManagerFactory;
    invoke-virtual {v0, p1}, Ljavax/net/ssl/TrustManagerFactory;->init(Ljava/security/KeyStore;)V
    return-void
.end method

.method protected engineInit(Ljavax/net/ssl/ManagerFactoryParameters;)V
    .locals 1
    iget-object v0, p0, Lfuse/bridge/FuseTrustManagerFactory;->delegate:Ljavax/net/ssl/TrustManagerFactory;
    invoke-virtual {v0, p1}, Ljavax/net/ssl/TrustManagerFactory;->init(Ljavax/net/ssl/ManagerFactoryParameters;)V
    return-void
.end method

.method protected engineGetTrustManagers()[Ljavax/net/ssl/TrustManager;
    .locals 5
    iget-object v0, p0, Lfuse/bridge/FuseTrustManagerFactory;->delegate:Ljavax/net/ssl/TrustManagerFactory;
    invoke-virtual {v0}, Ljavax/net/ssl/TrustManagerFactory;->getTrustManagers()[Ljavax/net/ssl/TrustManager;
    move-result-object v0
    array-length v1, v0
    const/4 v2, 0x0
    :loop
    if-ge v2, v1, :done
    aget-object v3, v0, v2
    instance-of v4, v3, Ljavax/net/ssl/X509TrustManager;
    if-eqz v4, :next
    check-cast v3, Ljavax/net/ssl/X509TrustManager;
    new-instance v4, Lfuse/bridge/FuseTrustManager;
    invoke-direct {v4, v3}, Lfuse/bridge/FuseTrustManager;-><init>(Ljavax/net/ssl/X509TrustManager;)V
    aput-object v4, v0, v2
    :next
    add-int/lit8 v2, v2, 0x1
    goto :loop
    :done
    return-object v0
.end method
