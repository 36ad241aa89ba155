/* A stand-in for the real libfusepin.dylib in tests that exercise the IPA pipeline before
 * (and independently of) the prebuilt shim: a real arm64 iOS dylib with the shim's install
 * name, so load-command and signing checks run on a genuine Mach-O. Never shipped. */
int fusepin_test_marker(void) { return 42; }
