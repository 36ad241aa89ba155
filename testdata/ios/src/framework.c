/* The embedded framework's binary: Frameworks/X.framework/X, install name @rpath/X.framework/X. */
const char *x_greeting(void) { return "hello from X.framework"; }
