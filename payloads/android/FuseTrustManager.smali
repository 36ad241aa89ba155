# The X509ExtendedTrustManager around the platform's. For a server chain with a known
# host (from the socket's handshake session or the engine's peer host): the platform
# validates first (X509TrustManagerExtensions returns the validated chain, trust anchor
# included); then FuseResponse asks the library and follows its response. A platform
# rejection propagates unchanged; a failure of the bridge itself is logged and leaves
# the platform's verdict standing.
.class public final Lfuse/bridge/FuseTrustManager;
.super Ljavax/net/ssl/X509ExtendedTrustManager;

.field private final platform:Ljavax/net/ssl/X509TrustManager;
.field private final extensions:Landroid/net/http/X509TrustManagerExtensions;

# X509TrustManagerExtensions refuses trust managers it does not know (before API 24, any
# but the platform's own): then pinning is off for this trust manager, and it says so.
.method constructor <init>(Ljavax/net/ssl/X509TrustManager;)V
    .locals 3
    invoke-direct {p0}, Ljavax/net/ssl/X509ExtendedTrustManager;-><init>()V
    iput-object p1, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    :try_start
    new-instance v0, Landroid/net/http/X509TrustManagerExtensions;
    invoke-direct {v0, p1}, Landroid/net/http/X509TrustManagerExtensions;-><init>(Ljavax/net/ssl/X509TrustManager;)V
    iput-object v0, p0, Lfuse/bridge/FuseTrustManager;->extensions:Landroid/net/http/X509TrustManagerExtensions;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed
    return-void
    :failed
    move-exception v0
    const-string v1, "fuse"
    const-string v2, "platform trust manager not supported by X509TrustManagerExtensions; not pinned"
    invoke-static {v1, v2, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-void
.end method

# Client certificates are not pinned: the platform decides.
.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .locals 1
    iget-object v0, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    .locals 0
    invoke-virtual {p0, p1, p2}, Lfuse/bridge/FuseTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    .locals 0
    invoke-virtual {p0, p1, p2}, Lfuse/bridge/FuseTrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    .locals 1
    iget-object v0, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    move-result-object v0
    return-object v0
.end method

# No socket or engine: no host to pin against, the platform decides alone.
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .locals 1
    const/4 v0, 0x0
    invoke-direct {p0, p1, p2, v0}, Lfuse/bridge/FuseTrustManager;->check([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    return-void
.end method

# With a host (the handshake session's peer host) the pinned check; without one the
# platform's own socket-aware check (the network security config needs it).
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    .locals 3
    instance-of v1, p3, Ljavax/net/ssl/SSLSocket;
    if-eqz v1, :no_host
    move-object v1, p3
    check-cast v1, Ljavax/net/ssl/SSLSocket;
    invoke-virtual {v1}, Ljavax/net/ssl/SSLSocket;->getHandshakeSession()Ljavax/net/ssl/SSLSession;
    move-result-object v1
    if-eqz v1, :no_host
    invoke-interface {v1}, Ljavax/net/ssl/SSLSession;->getPeerHost()Ljava/lang/String;
    move-result-object v0
    if-eqz v0, :no_host
    invoke-direct {p0, p1, p2, v0}, Lfuse/bridge/FuseTrustManager;->check([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    return-void
    :no_host
    iget-object v1, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    instance-of v2, v1, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v2, :basic
    check-cast v1, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v1, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/net/Socket;)V
    return-void
    :basic
    invoke-interface {v1, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

# Same for an engine, with its peer host.
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    .locals 3
    if-eqz p3, :no_host
    invoke-virtual {p3}, Ljavax/net/ssl/SSLEngine;->getPeerHost()Ljava/lang/String;
    move-result-object v0
    if-eqz v0, :no_host
    invoke-direct {p0, p1, p2, v0}, Lfuse/bridge/FuseTrustManager;->check([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    return-void
    :no_host
    iget-object v1, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    instance-of v2, v1, Ljavax/net/ssl/X509ExtendedTrustManager;
    if-eqz v2, :basic
    check-cast v1, Ljavax/net/ssl/X509ExtendedTrustManager;
    invoke-virtual {v1, p1, p2, p3}, Ljavax/net/ssl/X509ExtendedTrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljavax/net/ssl/SSLEngine;)V
    return-void
    :basic
    invoke-interface {v1, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

# The pinned check; returns the validated chain (the presented one when only the
# platform's 2-argument check could run).
.method private check([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    .locals 4
    iget-object v0, p0, Lfuse/bridge/FuseTrustManager;->extensions:Landroid/net/http/X509TrustManagerExtensions;
    if-eqz v0, :platform_only
    if-nez p3, :with_host
    :platform_only
    iget-object v0, p0, Lfuse/bridge/FuseTrustManager;->platform:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    invoke-static {p1}, Ljava/util/Arrays;->asList([Ljava/lang/Object;)Ljava/util/List;
    move-result-object v0
    return-object v0

    :with_host
    # Platform validation first; its CertificateException propagates as is.
    iget-object v0, p0, Lfuse/bridge/FuseTrustManager;->extensions:Landroid/net/http/X509TrustManagerExtensions;
    invoke-virtual {v0, p1, p2, p3}, Landroid/net/http/X509TrustManagerExtensions;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    move-result-object v0
    const/4 v1, 0x0
    :try_start
    invoke-static {p3, v0}, Lfuse/bridge/FuseResponse;->evaluate(Ljava/lang/String;Ljava/util/List;)Ljava/lang/String;
    move-result-object v1
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed
    if-nez v1, :block
    return-object v0
    :block
    new-instance v0, Ljava/security/cert/CertificateException;
    invoke-direct {v0, v1}, Ljava/security/cert/CertificateException;-><init>(Ljava/lang/String;)V
    throw v0
    :failed
    move-exception v2
    const-string v1, "fuse"
    const-string v3, "pin evaluation failed; the platform's verdict stands"
    invoke-static {v1, v3, v2}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-object v0
.end method

# The hostname-aware method X509TrustManagerExtensions looks up by reflection (API 24+):
# libraries that wrap this trust manager in it (OkHttp's chain cleaner) get the
# validated chain, pinned like every other check.
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    .locals 1
    invoke-direct {p0, p1, p2, p3}, Lfuse/bridge/FuseTrustManager;->check([Ljava/security/cert/X509Certificate;Ljava/lang/String;Ljava/lang/String;)Ljava/util/List;
    move-result-object v0
    return-object v0
.end method
