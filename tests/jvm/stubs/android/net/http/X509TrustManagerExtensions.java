package android.net.http;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/**
 * Test double of Android's class: like the platform's, checkServerTrusted validates the
 * presented chain and returns the VALIDATED chain, completed with the trust anchor that
 * issued its last certificate (DESIGN §7) — pins on a root must see the root.
 */
public class X509TrustManagerExtensions {
    private final X509TrustManager tm;

    public X509TrustManagerExtensions(X509TrustManager tm) { this.tm = tm; }

    public List<X509Certificate> checkServerTrusted(X509Certificate[] chain, String authType, String host)
            throws CertificateException {
        tm.checkServerTrusted(chain, authType);
        List<X509Certificate> validated = new ArrayList<>(Arrays.asList(chain));
        X509Certificate last = chain[chain.length - 1];
        for (X509Certificate anchor : tm.getAcceptedIssuers()) {
            if (anchor.equals(last)) {
                return validated; // the server sent its anchor too
            }
        }
        for (X509Certificate anchor : tm.getAcceptedIssuers()) {
            if (!anchor.getSubjectX500Principal().equals(last.getIssuerX500Principal())) {
                continue;
            }
            try {
                last.verify(anchor.getPublicKey());
            } catch (Exception wrongKey) {
                continue;
            }
            validated.add(anchor);
            return validated;
        }
        throw new CertificateException("test double: no trust anchor issued " + last.getIssuerX500Principal());
    }
}
