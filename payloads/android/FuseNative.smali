# The native side of the bridge: the JNI exports of libfusepin (payloads/shim/src/android.rs).
# Every decision is made there; see docs/payloads.md for the layout of evaluate()'s result.
.class final Lfuse/bridge/FuseNative;
.super Ljava/lang/Object;

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# The bridge ABI the library implements; the bridge refuses any other.
.method static native version()I
.end method

# Loads policy.bin; false when it did not decode completely (the library then fails
# closed for the pinned hosts its header still names).
.method static native init([B)Z
.end method

# (host, validated chain DER leaf..anchor, now millis, language tag, SDK_INT) -> String[]
.method static native evaluate(Ljava/lang/String;[[BJLjava/lang/String;I)[Ljava/lang/String;
.end method
