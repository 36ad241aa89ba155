package fuse.harness;

import android.app.Activity;
import android.app.AlertDialog;
import android.app.Application;
import android.content.ContentProvider;
import android.content.Context;
import android.content.Intent;
import android.content.res.AssetManager;
import android.os.Process;
import android.util.Log;
import android.widget.Toast;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.Security;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Runs the fuse bridge (converted from bridge.dex) on the JVM as Android would: creates
 * FuseProvider through attachInfo, resumes an activity, then opens HTTPS connections to
 * loopback TLS servers serving the test chains. Prints one tab-separated record a line:
 *
 *   PROVIDER name-of-security-provider-1
 *   CONN  id  ok|blocked  detail
 *   EVENT id  action  package  key  value      (one line per extra of a threat event)
 *   DIALOG id title message labels cancelable
 *   TOAST id text · START id action data · KILL id · LOG id level tag message
 *   DONE
 *
 * Usage: Harness --assets DIR --chains DIR [--click N] --conn id,url|socket|tm,chain,host ...
 * ("tm": no connection, the default trust manager's hostname-aware check on served.pem)
 * (java.library.path must hold the host-built libfusepin; the JVM's trust store the test roots).
 */
public final class Harness {
    private static volatile String current = "init";

    private static String esc(Object o) {
        String s = String.valueOf(o);
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static synchronized void record(String kind, Object... fields) {
        StringBuilder b = new StringBuilder(kind).append('\t').append(esc(current));
        for (Object f : fields) b.append('\t').append(esc(f));
        System.out.println(b);
        System.out.flush();
    }

    /** The app the provider runs in. */
    static final class App extends Application {
        private final Path assets;

        App(Path assets) { this.assets = assets; }

        @Override public Context getApplicationContext() { return this; }
        @Override public AssetManager getAssets() { return new AssetManager(assets); }
        @Override public String getPackageName() { return "com.example.fused"; }

        @Override public void sendBroadcast(Intent intent) {
            if (intent.extras.isEmpty()) record("EVENT", intent.action, intent.targetPackage, "", "");
            for (Map.Entry<String, String> e : intent.extras.entrySet()) {
                record("EVENT", intent.action, intent.targetPackage, e.getKey(), e.getValue());
            }
        }

        @Override public void startActivity(Intent intent) { record("START", intent.action, intent.data); }
    }

    public static void main(String[] args) throws Exception {
        Path assets = null;
        Path chains = null;
        int click = 0;
        List<String[]> conns = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--assets": assets = Path.of(args[++i]); break;
                case "--chains": chains = Path.of(args[++i]); break;
                case "--click": click = Integer.parseInt(args[++i]); break;
                case "--conn": conns.add(args[++i].split(",", 4)); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        final int clickIndex = click;
        Log.sink = (level, tag, msg, tr) -> record("LOG", level, tag, tr == null ? msg : msg + ": " + tr);
        Toast.onShow = text -> record("TOAST", text);
        Process.onKill = pid -> record("KILL", pid);
        AlertDialog.onShow = d -> {
            StringBuilder labels = new StringBuilder();
            for (CharSequence l : d.labels) if (l != null) labels.append(labels.length() == 0 ? "" : "|").append(l);
            record("DIALOG", d.title, d.message, labels, d.cancelable);
            if (clickIndex >= 0 && d.listeners[clickIndex] != null) d.click(clickIndex);
        };

        // Servers first, with the JDK's own JSSE, before the bridge changes the providers.
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String[] c : conns) {
            if (!ports.containsKey(c[2])) ports.put(c[2], serve(chains.resolve(c[2]).resolve("leaf.p12")));
        }

        // What Android does while the app starts: create the provider, then an activity.
        App app = new App(assets);
        ContentProvider provider = (ContentProvider) Class.forName("fuse.bridge.FuseProvider")
                .getDeclaredConstructor().newInstance();
        provider.attachInfo(app, null);
        record("PROVIDER", Security.getProviders()[0].getName());
        Activity activity = new Activity(app);
        for (Application.ActivityLifecycleCallbacks cb : app.callbacks) cb.onActivityResumed(activity);

        for (String[] c : conns) {
            current = c[0];
            int port = ports.get(c[2]);
            try {
                String body;
                switch (c[1]) {
                    case "url": body = viaUrl(c[3], port); break;
                    case "socket": body = viaSocket(c[3], port); break;
                    case "tm": body = viaTrustManager(chains.resolve(c[2]).resolve("served.pem"), c[3]); break;
                    default: throw new IllegalArgumentException("unknown method " + c[1]);
                }
                record("CONN", "ok", body);
            } catch (Exception e) {
                StringBuilder why = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) why.append(why.length() == 0 ? "" : " <- ").append(t);
                record("CONN", "blocked", why);
            }
        }
        current = "end";
        record("DONE");
        System.exit(0);
    }

    private static String viaUrl(String host, int port) throws Exception {
        HttpsURLConnection c = (HttpsURLConnection) new URL("https://" + host + ":" + port + "/").openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        c.setRequestProperty("Connection", "close");
        try (InputStream in = c.getInputStream()) {
            return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A plain socket from SSLContext.getDefault(), layered over TCP with the host as peer name. */
    private static String viaSocket(String host, int port) throws Exception {
        SSLSocketFactory f = SSLContext.getDefault().getSocketFactory();
        try (Socket raw = new Socket("127.0.0.1", port);
             SSLSocket s = (SSLSocket) f.createSocket(raw, host, port, true)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(0, response.indexOf('\r')) + " " + response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /**
     * What OkHttp's chain cleaner does on Android: find the default trust manager's
     * hostname-aware checkServerTrusted(chain, authType, host) by reflection and call it.
     */
    private static String viaTrustManager(Path servedPem, String host) throws Exception {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        X509TrustManager tm = (X509TrustManager) f.getTrustManagers()[0];
        X509Certificate[] chain;
        try (InputStream in = Files.newInputStream(servedPem)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new X509Certificate[0]);
        }
        Method m = tm.getClass().getMethod("checkServerTrusted", X509Certificate[].class, String.class, String.class);
        try {
            List<?> validated = (List<?>) m.invoke(tm, chain, "RSA", host);
            return "200 " + tm.getClass().getName() + " validated " + validated.size();
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /** A loopback HTTPS server presenting the chain of leaf.p12; answers "ok" to any request. */
    private static int serve(Path p12) throws Exception {
        char[] pass = "fuse-test-pass".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) { ks.load(in, pass); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509", "SunJSSE");
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS", "SunJSSE");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    Thread h = new Thread(() -> answer(s));
                    h.setDaemon(true);
                    h.start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static void answer(Socket s) {
        try (Socket socket = s) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String h = head.toString(StandardCharsets.US_ASCII);
                if (h.endsWith("\r\n\r\n")) break;
            }
            socket.getOutputStream().write(
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        } catch (Exception clientGaveUp) {
            // a blocked client aborts the handshake: nothing to answer
        }
    }
}
