# Follows the resumed activity, which a dialog needs; shows a dialog that was waiting
# for one (a violation during start-up, before any activity existed).
.class final Lfuse/bridge/FuseActivityWatcher;
.super Ljava/lang/Object;
.implements Landroid/app/Application$ActivityLifecycleCallbacks;

.method constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public onActivityResumed(Landroid/app/Activity;)V
    .locals 2
    sput-object p1, Lfuse/bridge/FuseProvider;->sActivity:Landroid/app/Activity;
    sget-object v0, Lfuse/bridge/FuseProvider;->sPending:Lfuse/bridge/FuseResponse;
    if-eqz v0, :done
    const/4 v1, 0x0
    sput-object v1, Lfuse/bridge/FuseProvider;->sPending:Lfuse/bridge/FuseResponse;
    invoke-virtual {v0, p1}, Lfuse/bridge/FuseResponse;->show(Landroid/app/Activity;)V
    :done
    return-void
.end method

.method public onActivityPaused(Landroid/app/Activity;)V
    .locals 1
    sget-object v0, Lfuse/bridge/FuseProvider;->sActivity:Landroid/app/Activity;
    if-ne v0, p1, :done
    const/4 v0, 0x0
    sput-object v0, Lfuse/bridge/FuseProvider;->sActivity:Landroid/app/Activity;
    :done
    return-void
.end method

.method public onActivityCreated(Landroid/app/Activity;Landroid/os/Bundle;)V
    .locals 0
    return-void
.end method

.method public onActivityStarted(Landroid/app/Activity;)V
    .locals 0
    return-void
.end method

.method public onActivityStopped(Landroid/app/Activity;)V
    .locals 0
    return-void
.end method

.method public onActivitySaveInstanceState(Landroid/app/Activity;Landroid/os/Bundle;)V
    .locals 0
    return-void
.end method

.method public onActivityDestroyed(Landroid/app/Activity;)V
    .locals 0
    return-void
.end method
