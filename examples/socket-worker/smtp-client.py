# The real client for the Socket Worker example: Python's own smtplib (standard library),
# printing every reply it gets, so runs on different runtimes can be compared line by line.
import smtplib
import sys

host, port = sys.argv[1], int(sys.argv[2])
client = smtplib.SMTP(timeout=10)
print("connect", client.connect(host, port))
print("ehlo", client.ehlo("client.example"))
print("mail", client.mail("alice@example.com"))
print("rcpt", client.rcpt("bob@example.com"))
print("rcpt", client.rcpt("carol@example.com"))
print("data", client.data(b"Subject: hello\r\n\r\nHello from smtplib.\r\n.A line that starts with a dot.\r\n"))
print("noop", client.noop())
print("quit", client.quit())
