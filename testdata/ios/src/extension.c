/* An app extension's executable (PlugIns/Share.appex/Share). Real extensions enter through
 * NSExtensionMain; a plain main is enough for load-command and signing tests. */
int puts(const char *);
int main(void) { puts("fuse fixture extension"); return 0; }
