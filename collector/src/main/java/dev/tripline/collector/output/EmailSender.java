package dev.tripline.collector.output;

import dev.tripline.model.Alert;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * E-mail over SMTP ({@code smtp://host:port}) with STARTTLS required by default (the server's
 * certificate checked against the JVM's trust store and its name), through Jakarta Mail (Eclipse
 * Angus). A refused login or address cannot be retried into success ({@link Delivery.Failed}); a
 * server that cannot be reached or answers 4xx can.
 */
final class EmailSender implements Sender {
  private final Session session;
  private final InternetAddress from;
  private final InternetAddress[] to;
  private final String username;
  private final String password;
  private final String consoleUrl;

  EmailSender(
      URI url,
      String from,
      List<String> to,
      String username,
      String password,
      boolean starttls,
      Duration timeout,
      String consoleUrl) {
    Properties p = new Properties();
    p.put("mail.smtp.host", url.getHost());
    p.put("mail.smtp.port", Integer.toString(url.getPort() > 0 ? url.getPort() : 587));
    p.put("mail.smtp.starttls.enable", Boolean.toString(starttls));
    p.put("mail.smtp.starttls.required", Boolean.toString(starttls));
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    p.put("mail.smtp.auth", Boolean.toString(!username.isEmpty()));
    String ms = Long.toString(timeout.toMillis());
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    this.session = Session.getInstance(p);
    try {
      this.from = new InternetAddress(from, true);
      this.to = new InternetAddress[to.size()];
      for (int i = 0; i < to.size(); i++) {
        this.to[i] = new InternetAddress(to.get(i), true);
      }
    } catch (AddressException e) {
      throw new IllegalArgumentException(
          "address '" + HttpPost.clip(e.getRef() == null ? "" : e.getRef(), 80) + "' is not valid");
    }
    if (this.to.length == 0) {
      throw new IllegalArgumentException("no recipient (set to=)");
    }
    this.username = username;
    this.password = password;
    this.consoleUrl = consoleUrl;
  }

  @Override
  public Delivery send(Notice n) {
    Alert a = n.alert();
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(from);
      m.setRecipients(Message.RecipientType.TO, to);
      // The subject is one line: an alert's title is attacker-chosen text (no header injection).
      m.setSubject("[Tripline] " + HttpPost.clip(AlertText.headline(n), 200), "UTF-8");
      m.setSentDate(new Date());
      m.setHeader("X-Tripline-Alert-Id", HttpPost.clip(a.getId(), 128));
      m.setText(body(n), "UTF-8");
      if (username.isEmpty()) {
        Transport.send(m);
      } else {
        Transport.send(m, username, password);
      }
      return Delivery.OK;
    } catch (AuthenticationFailedException e) {
      return new Delivery.Failed(
          "SMTP login refused: " + HttpPost.clip(String.valueOf(e.getMessage()), 200));
    } catch (SendFailedException e) {
      return new Delivery.Failed(
          "SMTP refused the message: " + HttpPost.clip(String.valueOf(e.getMessage()), 200));
    } catch (MessagingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return Delivery.retry("SMTP: " + HttpPost.clip(String.valueOf(root), 300));
    }
  }

  private String body(Notice n) {
    Alert a = n.alert();
    StringBuilder b = new StringBuilder();
    b.append(AlertText.headline(n)).append("\n\n");
    b.append("Service:    ").append(a.getService()).append('\n');
    b.append("Severity:   ").append(a.getSeverity()).append('\n');
    b.append("Reason:     ").append(a.getReason());
    if (!a.getRule().isEmpty()) {
      b.append(" (rule ").append(a.getRule()).append(')');
    }
    b.append('\n');
    b.append("Call site:  ").append(AlertText.callSite(a)).append('\n');
    String mitre = AlertText.mitre(a);
    if (!mitre.isEmpty()) {
      b.append("MITRE:      ").append(mitre).append('\n');
    }
    if (a.getDispositionValue() != 0) {
      b.append("Protection: ").append(a.getDisposition()).append('\n');
    }
    b.append("Seen:       ").append(a.getCount()).append("×\n");
    b.append("Alert id:   ").append(a.getId()).append("\n\n");
    b.append(HttpPost.clip(a.getDescription(), 4000)).append("\n\n");
    if (!a.getContext().getSummary().isEmpty()) {
      b.append("Profile: ").append(HttpPost.clip(a.getContext().getSummary(), 2000)).append('\n');
    }
    String link = AlertText.link(consoleUrl);
    if (!link.isEmpty()) {
      b.append("\nConsole: ").append(link).append('\n');
    }
    return b.toString();
  }
}
