package io.camelsendmail.report;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A status for a bounce that states none: from the words servers use for the commonest failures (RFC 3463's subjects),
 * else from the class of the SMTP reply code. Always marked as inferred in the report.
 */
final class Inference {

    private record Rule(Pattern words, String detail) {
    }

    /** The detail (".1.1") that the words suggest; the class comes from the reply code or the bounce's tone. */
    private static final List<Rule> RULES = List.of(
            new Rule(words("user unknown|unknown user|no such (user|mailbox|recipient|address)|user not found"
                           + "|recipient not found|address not found|does not exist|doesn'?t exist|invalid recipient"
                           + "|unknown recipient|recipient unknown|no mailbox|mailbox unavailable|not a valid mailbox"
                           + "|address rejected|no such person|account (has been )?(disabled|deleted|closed)"
                           + "|unrouteable address|user doesn'?t have|is not a known user|addressee unknown"
                           + "|invalid mailbox|mailbox not found|bad destination mailbox|dd this user"),
                    ".1.1"),
            new Rule(words("host (or domain name )?not found|domain not found|no such domain|unknown host|host unknown"
                           + "|name or service not known|nxdomain|domain (name )?(does not|doesn'?t) exist"
                           + "|all relevant mx records point|no mx"), ".4.4"),
            new Rule(words("mailbox (is )?full|quota|over ?quota|insufficient (disk )?space|mailbox size limit"
                           + "|exceeded storage|full mailbox"), ".2.2"),
            new Rule(words("too (large|big)|size (limit|exceeds)|exceeds (the )?(maximum|size)|message size"),
                    ".3.4"),
            new Rule(words("retry time(out)? (was )?exceeded|timed? ?out|expired|too long in the queue"
                           + "|could not be delivered (with)?in|delivery time expired|gave up|failing for a long time"), ".4.7"),
            new Rule(words("relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay"
                           + "|we do not relay"), ".7.1"),
            new Rule(words("spam|blocked|blacklist|blocklist|denied|rejected for policy|policy|reputation|not allowed"),
                    ".7.1"),
            new Rule(words("connection refused|connect(ion)? (to .* )?failed|network (is )?unreachable"
                           + "|no route to host"), ".4.1"));

    private static final Pattern TEMPORARY = words("temporar|delayed|will (be )?retr|still trying|try again later"
                                                   + "|has not (yet )?been delivered|deferred|will continue");

    private Inference() {
    }

    private static Pattern words(String alternatives) {
        return Pattern.compile("(" + alternatives + ")", Pattern.CASE_INSENSITIVE);
    }

    /**
     * @param words     the diagnostic, or the bounce's words about this recipient; may be null
     * @param replyCode the reply code among them, or -1
     * @return a status, or null where neither words nor code say anything
     */
    static String fromWords(String words, int replyCode) {
        String detail = null;
        if (words != null) {
            for (Rule rule : RULES) {
                if (rule.words.matcher(words).find()) {
                    detail = rule.detail;
                    break;
                }
            }
        }
        char type;
        if (replyCode >= 200) {
            type = (char) ('0' + replyCode / 100);
        } else if (words == null) {
            return null;
        } else if (".4.7".equals(detail) || TEMPORARY.matcher(words).find()) {
            // a message that expired in the queue failed for good, but for a reason that was transient (as
            // Postfix and Exim report it): not an address to stop mailing
            type = '4';
        } else {
            type = '5';
        }
        if (type == '2') {
            return "2.0.0";
        }
        return type + (detail != null ? detail : ".0.0");
    }

    /** @return true when the words say delivery has not yet failed, only been put off */
    static boolean delayed(String words) {
        return words != null && Pattern.compile("(delayed|will (be )?retr|still trying|has not (yet )?been delivered"
                                                + "|will continue|Delivery Status Notification \\(Delay\\))",
                Pattern.CASE_INSENSITIVE).matcher(words).find()
               && !words.toLowerCase(Locale.ROOT).contains("permanent");
    }
}
