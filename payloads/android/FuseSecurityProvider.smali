# The java.security.Provider inserted at position 1: it offers only TrustManagerFactory,
# under the platform's default algorithm (PKIX on Android and the JDK) and the usual
# aliases, implemented by FuseTrustManagerFactory.
.class final Lfuse/bridge/FuseSecurityProvider;
.super Ljava/security/Provider;

.method constructor <init>(Ljava/lang/String;)V
    .locals 5
    const-string v0, "FusePin"
    const-wide/high16 v1, 0x3ff0000000000000L    # version 1.0
    const-string v3, "fuse certificate pinning"
    invoke-direct {p0, v0, v1, v2, v3}, Ljava/security/Provider;-><init>(Ljava/lang/String;DLjava/lang/String;)V
    const-string v4, "fuse.bridge.FuseTrustManagerFactory"
    const-string v0, "TrustManagerFactory."
    invoke-virtual {v0, p1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    invoke-virtual {p0, v0, v4}, Ljava/security/Provider;->put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;
    const-string v0, "TrustManagerFactory.PKIX"
    invoke-virtual {p0, v0, v4}, Ljava/security/Provider;->put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;
    const-string v0, "TrustManagerFactory.X509"
    invoke-virtual {p0, v0, v4}, Ljava/security/Provider;->put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;
    return-void
.end method
