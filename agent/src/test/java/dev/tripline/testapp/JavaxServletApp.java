package dev.tripline.testapp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat 9 (the {@code javax.servlet} namespace of Spring Boot 2 and older containers)
 * whose servlet reads the file its {@code f} parameter names, and a client that sends it two
 * requests: one with a forwarded chain, a {@code traceparent}, a cookie and an Authorization
 * header, then a plain one. Prints each response's status. With the agent it first waits until the
 * agent records (its MBean is up). Usage: JavaxServletApp <work dir> [agent]
 */
public final class JavaxServletApp {
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path dir = work.resolve("files");
    Files.createDirectories(dir);
    for (String name : new String[] {"first", "second"}) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    if (args.length > 1 && args[1].equals("agent")) {
      AgentReady.await();
    }
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(work.resolve("tomcat").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Tomcat.addServlet(context, "files", new FilesServlet(dir));
    context.addServletMappingDecoded("/files/*", "files");
    tomcat.start();
    try {
      int port = connector.getLocalPort();
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest first =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + port + "/files/import?f=first&token=s3cr3t"))
              .header("X-Forwarded-For", "203.0.113.7, 10.1.2.3")
              .header("traceparent", RequestApp.TRACEPARENT)
              .header("Cookie", "session=cookie-secret")
              .header("Authorization", "Bearer auth-secret")
              .POST(HttpRequest.BodyPublishers.ofString("body"))
              .build();
      status("first", client.send(first, HttpResponse.BodyHandlers.ofString()));
      HttpRequest second =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/files/next?f=second"))
              .build();
      status("second", client.send(second, HttpResponse.BodyHandlers.ofString()));
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
    System.out.println("JAVAXSERVLETAPP DONE");
  }

  /** Reads the file named by {@code f} and answers with its text. */
  static final class FilesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Path dir;

    FilesServlet(Path dir) {
      this.dir = dir;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.getWriter().write(Files.readString(dir.resolve(req.getParameter("f") + ".txt")));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      doGet(req, resp);
    }
  }

  private static void status(String name, HttpResponse<String> response) {
    System.out.println("status " + name + ": " + response.statusCode() + " " + response.body());
  }
}
