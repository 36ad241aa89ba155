/* Main executable of the fixture apps. `x_greeting` comes from X.framework when the
 * app is linked against it (FUSE_WITH_FRAMEWORK), so the binary carries an
 * `@rpath/X.framework/X` dependency and an LC_RPATH like an Xcode-built app. */
int puts(const char *);
#ifdef FUSE_WITH_FRAMEWORK
const char *x_greeting(void);
#endif
int main(void) {
#ifdef FUSE_WITH_FRAMEWORK
    puts(x_greeting());
#endif
    puts("fuse fixture app");
    return 0;
}
