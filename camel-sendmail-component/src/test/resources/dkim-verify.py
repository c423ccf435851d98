# Verifies the first DKIM signature of a message with dkimpy (Debian package python3-dkim), the public key record
# given instead of DNS. Prints "pass" or "fail: <reason>".
import sys
import logging
import dkim

message = open(sys.argv[1], 'rb').read()
record = open(sys.argv[2], 'rb').read()


class Log(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, r):
        self.lines.append(r.getMessage())


log = logging.getLogger('dkim-verify')
log.setLevel(logging.DEBUG)
handler = Log()
log.addHandler(handler)
ok = dkim.verify(message, logger=log, dnsfunc=lambda name, timeout=5: record)
print('pass' if ok else 'fail: ' + ' | '.join(handler.lines[-3:]))
