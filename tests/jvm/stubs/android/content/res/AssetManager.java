package android.content.res;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Stub: assets are files under a directory (the harness points it at the policy). */
public class AssetManager {
    private final Path root;

    public AssetManager(Path root) { this.root = root; }

    public InputStream open(String name) throws IOException {
        return Files.newInputStream(root.resolve(name));
    }
}
