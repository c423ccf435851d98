package io.camelsendmail.smtp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One SASL mechanism of the AUTH command (RFC 4954): the optional initial response sent with {@code AUTH <name>}, and
 * the answer to each {@code 334} challenge. Responses are base64, and are never logged.
 */
abstract class SaslMechanism {

    private final String name;

    SaslMechanism(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** @return the base64 initial response, or null to wait for the server's first challenge */
    abstract String initialResponse();

    /**
     * @param challenge the text of the server's {@code 334} reply (base64)
     * @return the base64 answer
     * @throws IllegalStateException when the mechanism has nothing more to say
     */
    abstract String respond(String challenge);

    /**
     * @return what the server said in an error challenge (the decoded JSON of XOAUTH2 or OAUTHBEARER), or null
     */
    String serverError() {
        return null;
    }

    /**
     * The mechanisms a bearer token can sign in with, most preferred first: the standard one (RFC 7628) where the server
     * offers it, else Google's and Microsoft's XOAUTH2.
     */
    static List<String> tokenMechanisms() {
        return List.of("OAUTHBEARER", "XOAUTH2");
    }

    static SaslMechanism withToken(String mechanism, String username, String token, String host, int port) {
        return switch (mechanism) {
            case "OAUTHBEARER" -> new Bearer("OAUTHBEARER",
                    "n,a=" + saslName(username) + ",\u0001host=" + host + "\u0001port=" + port + "\u0001auth=Bearer " + token
                                                            + "\u0001\u0001",
                    // RFC 7628, 3.2.3: after an error challenge, a single %x01 ends the exchange
                    base64("\u0001"));
            case "XOAUTH2" -> new Bearer("XOAUTH2", "user=" + username + "\u0001auth=Bearer " + token + "\u0001\u0001",
                    // Google's XOAUTH2: after an error challenge, an empty response ends the exchange
                    "");
            default -> throw new IllegalArgumentException("no SASL mechanism " + mechanism);
        };
    }

    /** RFC 5801's saslname: ',' and '=' escaped. */
    private static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /**
     * The mechanisms a user name and password can sign in with, most preferred first. Inside TLS PLAIN goes first (one
     * round trip); outside it (allowPlaintextAuth) CRAM-MD5 does, since it never sends the password itself.
     */
    static List<String> passwordMechanisms(boolean tls) {
        return tls ? List.of("PLAIN", "LOGIN", "CRAM-MD5") : List.of("CRAM-MD5", "PLAIN", "LOGIN");
    }

    static SaslMechanism withPassword(String mechanism, String username, String password) {
        return switch (mechanism) {
            case "PLAIN" -> new Plain(username, password);
            case "LOGIN" -> new Login(username, password);
            case "CRAM-MD5" -> new CramMd5(username, password);
            default -> throw new IllegalArgumentException("no SASL mechanism " + mechanism);
        };
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A bearer token in the initial response. The server answers 235, or a 334 whose text is a base64 JSON error
     * status, which is acknowledged with the mechanism's closing response; the server's refusal follows.
     */
    private static final class Bearer extends SaslMechanism {
        private final String response;
        private final String afterError;
        private String serverError;

        Bearer(String name, String initial, String afterError) {
            super(name);
            this.response = base64(initial);
            this.afterError = afterError;
        }

        @Override
        String initialResponse() {
            return response;
        }

        @Override
        String respond(String challenge) {
            if (serverError != null) {
                throw new IllegalStateException(name() + " has nothing more to say after an error");
            }
            try {
                serverError = new String(Base64.getMimeDecoder().decode(challenge.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                serverError = challenge;
            }
            return afterError;
        }

        @Override
        String serverError() {
            return serverError;
        }
    }

    /** RFC 4616: authorization identity (empty), user name and password in the initial response. */
    private static final class Plain extends SaslMechanism {
        private final String response;

        Plain(String username, String password) {
            super("PLAIN");
            this.response = base64("\0" + username + "\0" + password);
        }

        @Override
        String initialResponse() {
            return response;
        }

        @Override
        String respond(String challenge) {
            // a server that did not take the initial response asks for it with an empty challenge
            return response;
        }
    }

    /** A mechanism that waits for the server's challenge, and answers it from a user name and password. */
    private abstract static class Challenged extends SaslMechanism {
        final String username;
        final String password;

        Challenged(String name, String username, String password) {
            super(name);
            this.username = username;
            this.password = password;
        }

        @Override
        String initialResponse() {
            return null;
        }
    }

    /** The LOGIN mechanism: user name and password, each in answer to a challenge. */
    private static final class Login extends Challenged {
        private int answered;

        Login(String username, String password) {
            super("LOGIN", username, password);
        }

        @Override
        String respond(String challenge) {
            return switch (answered++) {
                case 0 -> base64(username);
                case 1 -> base64(password);
                default -> throw new IllegalStateException("LOGIN has no third answer");
            };
        }
    }

    /** RFC 2195: the user name and an HMAC-MD5 of the server's challenge, keyed with the password. */
    private static final class CramMd5 extends Challenged {
        private boolean answered;

        CramMd5(String username, String password) {
            super("CRAM-MD5", username, password);
        }

        @Override
        String respond(String challenge) {
            if (answered) {
                throw new IllegalStateException("CRAM-MD5 has no second answer");
            }
            answered = true;
            try {
                Mac hmac = Mac.getInstance("HmacMD5");
                hmac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
                byte[] digest = hmac.doFinal(Base64.getMimeDecoder().decode(challenge.trim()));
                return base64(username + " " + HexFormat.of().formatHex(digest));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot answer the CRAM-MD5 challenge: " + e.getMessage(), e);
            }
        }
    }
}
