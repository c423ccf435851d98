package io.camelsendmail;

import java.io.Serializable;

/**
 * The server's answer to one {@code RCPT TO}: the address, the SMTP reply code and the reply text (without the code).
 * Twisted's {@code (addr, code, resp)} triple.
 */
public record RecipientStatus(String address, int code, String response) implements Serializable {

    /** @return true when the server accepted this recipient (a 2xx reply) */
    public boolean accepted() {
        return code >= 200 && code < 300;
    }

    @Override
    public String toString() {
        return address + " " + code + " " + response;
    }
}
