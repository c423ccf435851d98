package io.camelsendmail.message;

import java.util.List;

import jakarta.mail.internet.InternetAddress;

/**
 * The SMTP envelope: MAIL FROM and the RCPT TO list. It may differ from the message's headers.
 */
public record Envelope(InternetAddress sender, List<InternetAddress> recipients) {

    /** @return whether an address needs the server's SMTPUTF8 extension */
    public boolean needsSmtpUtf8() {
        if (!Addresses.isAscii(sender.getAddress())) {
            return true;
        }
        return recipients.stream().anyMatch(r -> !Addresses.isAscii(r.getAddress()));
    }
}
