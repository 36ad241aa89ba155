# Asks libfusepin about a validated chain and carries out its response. The library
# decides everything; this only follows the flags of FuseNative.evaluate's result
# (docs/payloads.md): log, threat-event broadcast, toast (notice) or dialog (on the
# main thread), close the app, and tells FuseTrustManager whether to fail the handshake.
.class final Lfuse/bridge/FuseResponse;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;
.implements Landroid/content/DialogInterface$OnClickListener;

# FuseNative.evaluate's result and its flags (element 1, parsed).
.field private final r:[Ljava/lang/String;
.field private final flags:I

.method constructor <init>([Ljava/lang/String;I)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    iput p2, p0, Lfuse/bridge/FuseResponse;->flags:I
    return-void
.end method

# Returns null to let the connection through, else the reason to fail it.
.method static evaluate(Ljava/lang/String;Ljava/util/List;)Ljava/lang/String;
    .locals 8
    invoke-interface {p1}, Ljava/util/List;->size()I
    move-result v0
    new-array v1, v0, [[B
    const/4 v2, 0x0
    :der_loop
    if-ge v2, v0, :der_done
    invoke-interface {p1, v2}, Ljava/util/List;->get(I)Ljava/lang/Object;
    move-result-object v3
    check-cast v3, Ljava/security/cert/X509Certificate;
    invoke-virtual {v3}, Ljava/security/cert/X509Certificate;->getEncoded()[B
    move-result-object v3
    aput-object v3, v1, v2
    add-int/lit8 v2, v2, 0x1
    goto :der_loop
    :der_done
    move-object v0, p0
    invoke-static {}, Ljava/lang/System;->currentTimeMillis()J
    move-result-wide v2
    invoke-static {}, Ljava/util/Locale;->getDefault()Ljava/util/Locale;
    move-result-object v4
    invoke-virtual {v4}, Ljava/util/Locale;->toLanguageTag()Ljava/lang/String;
    move-result-object v4
    sget v5, Landroid/os/Build$VERSION;->SDK_INT:I
    invoke-static/range {v0 .. v5}, Lfuse/bridge/FuseNative;->evaluate(Ljava/lang/String;[[BJLjava/lang/String;I)[Ljava/lang/String;
    move-result-object v0
    if-nez v0, :have_result
    const-string v1, "fuse"
    const-string v2, "libfusepin returned no verdict; the platform's verdict stands"
    invoke-static {v1, v2}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;)I
    const/4 v0, 0x0
    return-object v0

    :have_result
    const/4 v1, 0x1
    aget-object v1, v0, v1
    invoke-static {v1}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v1
    if-nez v1, :respond
    const/4 v0, 0x0
    return-object v0

    :respond
    new-instance v2, Lfuse/bridge/FuseResponse;
    invoke-direct {v2, v0, v1}, Lfuse/bridge/FuseResponse;-><init>([Ljava/lang/String;I)V
    invoke-direct {v2}, Lfuse/bridge/FuseResponse;->deliver()V
    and-int/lit8 v1, v1, 0x1
    if-nez v1, :block
    const/4 v0, 0x0
    return-object v0
    :block
    invoke-direct {v2}, Lfuse/bridge/FuseResponse;->reason()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

# "fuse: <reasonCode>: <reasonData>"
.method private reason()Ljava/lang/String;
    .locals 3
    iget-object v0, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    new-instance v1, Ljava/lang/StringBuilder;
    const-string v2, "fuse: "
    invoke-direct {v1, v2}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    const/4 v2, 0x2
    aget-object v2, v0, v2
    invoke-virtual {v1, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const-string v2, ": "
    invoke-virtual {v1, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const/4 v2, 0x3
    aget-object v2, v0, v2
    invoke-virtual {v1, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

# Flags: 1 block · 2 dialog · 4 notice · 8 close app · 16 threat event · 32 log.
.method private deliver()V
    .locals 4
    iget v0, p0, Lfuse/bridge/FuseResponse;->flags:I
    and-int/lit8 v1, v0, 0x20
    if-eqz v1, :no_log
    const-string v1, "fuse"
    invoke-direct {p0}, Lfuse/bridge/FuseResponse;->reason()Ljava/lang/String;
    move-result-object v2
    invoke-static {v1, v2}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;)I
    :no_log
    and-int/lit8 v1, v0, 0x10
    if-eqz v1, :no_event
    invoke-direct {p0}, Lfuse/bridge/FuseResponse;->broadcast()V
    :no_event
    and-int/lit8 v1, v0, 0x6
    if-eqz v1, :no_ui
    new-instance v1, Landroid/os/Handler;
    invoke-static {}, Landroid/os/Looper;->getMainLooper()Landroid/os/Looper;
    move-result-object v2
    invoke-direct {v1, v2}, Landroid/os/Handler;-><init>(Landroid/os/Looper;)V
    invoke-virtual {v1, p0}, Landroid/os/Handler;->post(Ljava/lang/Runnable;)Z
    :no_ui
    return-void
.end method

# The threat event: a broadcast to the app's own package only, every key a String extra.
.method private broadcast()V
    .locals 7
    sget-object v0, Lfuse/bridge/FuseProvider;->sContext:Landroid/content/Context;
    if-nez v0, :have_context
    return-void
    :have_context
    new-instance v1, Landroid/content/Intent;
    const-string v2, "fuse.intent.action.THREAT_EVENT"
    invoke-direct {v1, v2}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v2
    invoke-virtual {v1, v2}, Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;

    # The library's keys: pairs after the 7 fixed elements and 3 per button.
    iget-object v2, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    const/4 v3, 0x6
    aget-object v3, v2, v3
    invoke-static {v3}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v3
    mul-int/lit8 v3, v3, 0x3
    add-int/lit8 v3, v3, 0x7
    array-length v4, v2
    :pairs
    add-int/lit8 v5, v3, 0x1
    if-lt v5, v4, :pair
    goto :device
    :pair
    aget-object v6, v2, v3
    aget-object v5, v2, v5
    invoke-virtual {v1, v6, v5}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    add-int/lit8 v3, v3, 0x2
    goto :pairs

    # The device keys (nothing that needs a permission or identifies the person).
    :device
    const-string v2, "osVersion"
    sget-object v3, Landroid/os/Build$VERSION;->RELEASE:Ljava/lang/String;
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "devicePlatform"
    const-string v3, "Android"
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "deviceModel"
    sget-object v3, Landroid/os/Build;->MODEL:Ljava/lang/String;
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "deviceManufacturer"
    sget-object v3, Landroid/os/Build;->MANUFACTURER:Ljava/lang/String;
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "deviceBrand"
    sget-object v3, Landroid/os/Build;->BRAND:Ljava/lang/String;
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "sdkVersion"
    sget v3, Landroid/os/Build$VERSION;->SDK_INT:I
    invoke-static {v3}, Ljava/lang/String;->valueOf(I)Ljava/lang/String;
    move-result-object v3
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "kernelInfo"
    const-string v3, "os.version"
    invoke-static {v3}, Ljava/lang/System;->getProperty(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v3
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    const-string v2, "timeZone"
    invoke-static {}, Ljava/util/TimeZone;->getDefault()Ljava/util/TimeZone;
    move-result-object v3
    invoke-virtual {v3}, Ljava/util/TimeZone;->getID()Ljava/lang/String;
    move-result-object v3
    invoke-virtual {v1, v2, v3}, Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {v0, v1}, Landroid/content/Context;->sendBroadcast(Landroid/content/Intent;)V
    return-void
.end method

# On the main thread: the dialog (on the resumed activity, or when one resumes) or the toast.
.method public run()V
    .locals 3
    iget v0, p0, Lfuse/bridge/FuseResponse;->flags:I
    and-int/lit8 v0, v0, 0x2
    if-eqz v0, :toast
    sget-object v0, Lfuse/bridge/FuseProvider;->sActivity:Landroid/app/Activity;
    if-nez v0, :show
    sput-object p0, Lfuse/bridge/FuseProvider;->sPending:Lfuse/bridge/FuseResponse;
    return-void
    :show
    invoke-virtual {p0, v0}, Lfuse/bridge/FuseResponse;->show(Landroid/app/Activity;)V
    return-void
    :toast
    sget-object v0, Lfuse/bridge/FuseProvider;->sContext:Landroid/content/Context;
    iget-object v1, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    const/4 v2, 0x5
    aget-object v1, v1, v2
    const/4 v2, 0x1
    invoke-static {v0, v1, v2}, Landroid/widget/Toast;->makeText(Landroid/content/Context;Ljava/lang/CharSequence;I)Landroid/widget/Toast;
    move-result-object v0
    invoke-virtual {v0}, Landroid/widget/Toast;->show()V
    return-void
.end method

# title, message, up to three buttons (positive, negative, neutral), not cancelable.
.method show(Landroid/app/Activity;)V
    .locals 6
    iget-object v0, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    new-instance v1, Landroid/app/AlertDialog$Builder;
    invoke-direct {v1, p1}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    const/4 v2, 0x4
    aget-object v2, v0, v2
    invoke-virtual {v1, v2}, Landroid/app/AlertDialog$Builder;->setTitle(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    const/4 v2, 0x5
    aget-object v2, v0, v2
    invoke-virtual {v1, v2}, Landroid/app/AlertDialog$Builder;->setMessage(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    const/4 v2, 0x0
    invoke-virtual {v1, v2}, Landroid/app/AlertDialog$Builder;->setCancelable(Z)Landroid/app/AlertDialog$Builder;
    const/4 v2, 0x6
    aget-object v2, v0, v2
    invoke-static {v2}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v2
    if-nez v2, :buttons
    const-string v3, "OK"
    invoke-virtual {v1, v3, p0}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    goto :shown
    :buttons
    const/4 v4, 0x7
    aget-object v3, v0, v4
    invoke-virtual {v1, v3, p0}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    const/4 v5, 0x2
    if-lt v2, v5, :shown
    const/16 v4, 0xa
    aget-object v3, v0, v4
    invoke-virtual {v1, v3, p0}, Landroid/app/AlertDialog$Builder;->setNegativeButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    const/4 v5, 0x3
    if-lt v2, v5, :shown
    const/16 v4, 0xd
    aget-object v3, v0, v4
    invoke-virtual {v1, v3, p0}, Landroid/app/AlertDialog$Builder;->setNeutralButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    :shown
    invoke-virtual {v1}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method

# Button i (positive -1 → 0, negative -2 → 1, neutral -3 → 2): redirect opens its URL;
# "close", or a response that closes the app, ends the process after the dialog.
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 6
    iget-object v0, p0, Lfuse/bridge/FuseResponse;->r:[Ljava/lang/String;
    const-string v1, "dismiss"
    const/4 v2, 0x0
    neg-int v3, p2
    add-int/lit8 v3, v3, -0x1
    const/4 v4, 0x6
    aget-object v4, v0, v4
    invoke-static {v4}, Ljava/lang/Integer;->parseInt(Ljava/lang/String;)I
    move-result v4
    if-ltz v3, :act
    if-lt v3, v4, :in_range
    goto :act
    :in_range
    mul-int/lit8 v3, v3, 0x3
    add-int/lit8 v3, v3, 0x8
    aget-object v1, v0, v3
    add-int/lit8 v3, v3, 0x1
    aget-object v2, v0, v3
    :act
    const-string v3, "redirect"
    invoke-virtual {v3, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v3
    if-eqz v3, :no_redirect
    :try_start
    new-instance v3, Landroid/content/Intent;
    const-string v4, "android.intent.action.VIEW"
    invoke-static {v2}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v5
    invoke-direct {v3, v4, v5}, Landroid/content/Intent;-><init>(Ljava/lang/String;Landroid/net/Uri;)V
    const/high16 v4, 0x10000000    # FLAG_ACTIVITY_NEW_TASK
    invoke-virtual {v3, v4}, Landroid/content/Intent;->addFlags(I)Landroid/content/Intent;
    sget-object v4, Lfuse/bridge/FuseProvider;->sContext:Landroid/content/Context;
    invoke-virtual {v4, v3}, Landroid/content/Context;->startActivity(Landroid/content/Intent;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :redirect_failed
    goto :no_redirect
    :redirect_failed
    move-exception v3
    const-string v4, "fuse"
    const-string v5, "cannot open the dialog's redirect"
    invoke-static {v4, v5, v3}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    :no_redirect
    const-string v3, "close"
    invoke-virtual {v3, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v3
    if-nez v3, :close
    iget v3, p0, Lfuse/bridge/FuseResponse;->flags:I
    and-int/lit8 v3, v3, 0x8
    if-nez v3, :close
    return-void
    :close
    sget-object v3, Lfuse/bridge/FuseProvider;->sActivity:Landroid/app/Activity;
    if-eqz v3, :kill
    invoke-virtual {v3}, Landroid/app/Activity;->finishAffinity()V
    :kill
    invoke-static {}, Landroid/os/Process;->myPid()I
    move-result v3
    invoke-static {v3}, Landroid/os/Process;->killProcess(I)V
    return-void
.end method
