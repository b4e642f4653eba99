import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Runs AWS's DynamoDB Local with its HTTP connector bound to one address.
 *
 * <p>DynamoDB Local has no option for the listen address: it builds its Jetty
 * server from a port alone, which binds every interface, and it refuses port
 * 0. This launcher lets DynamoDB Local parse its usual arguments and build the
 * server, then sets the host and port of each connector from the system
 * properties {@code wpsync.dynamodb.host} (default 127.0.0.1) and
 * {@code wpsync.dynamodb.port} (default 0, a free port chosen by the system)
 * before the server starts. A {@code -port} argument is overridden. Once
 * listening it prints {@code LISTENING <host> <port>} on standard output;
 * when it cannot start it prints {@code FAILED <host>:<port> <reason>}.
 *
 * <p>It also stops when standard input closes. The parent keeps that pipe
 * open for as long as it lives, so a parent that dies without stopping the
 * server (a crash, SIGKILL) still takes the server down with it.
 *
 * <p>It runs compiled or as a single-file source program, with
 * DynamoDBLocal.jar on the class path: {@code java -Dwpsync.dynamodb.port=0
 * -Djava.library.path=DynamoDBLocal_lib -cp DynamoDBLocal.jar
 * DynamoDbLocalLauncher.java -inMemory -sharedDb}.
 */
public final class DynamoDbLocalLauncher {
  private static final String HOST_PROPERTY = "wpsync.dynamodb.host";
  private static final String PORT_PROPERTY = "wpsync.dynamodb.port";
  private static final String NO_TELEMETRY = "-disableTelemetry";

  private DynamoDbLocalLauncher() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty(HOST_PROPERTY, "127.0.0.1");
    int port = Integer.parseInt(System.getProperty(PORT_PROPERTY, "0"));
    DynamoDBProxyServer proxy =
        ServerRunner.createServerFromCommandLineArgs(withoutTelemetry(args));
    Server jetty = jettyServerOf(proxy);
    for (Connector connector : jetty.getConnectors()) {
      if (!(connector instanceof AbstractNetworkConnector network)) {
        throw new IllegalStateException(
            "Unexpected Jetty connector " + connector.getClass().getName());
      }
      network.setHost(host);
      network.setPort(port);
    }

    try {
      proxy.start();
    } catch (Exception e) {
      fail(host, port, rootCause(e).toString());
    }
    // start() swallows some bind failures after printing them.
    if (!jetty.isStarted()) {
      fail(host, port, "Jetty did not start");
    }

    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(proxy)));
    watchStandardInput();
    int boundPort = ((AbstractNetworkConnector) jetty.getConnectors()[0])
        .getLocalPort();
    System.out.println("LISTENING " + host + " " + boundPort);
    System.out.flush();
    proxy.join();
  }

  /** Reports why on one line of standard output, for the parent to quote. */
  private static void fail(String host, int port, String reason) {
    System.out.println("FAILED " + host + ":" + port + " " + reason);
    System.out.flush();
    System.exit(2);
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Telemetry would call an AWS endpoint: it is always off here. */
  private static String[] withoutTelemetry(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (!all.contains(NO_TELEMETRY)) {
      all.add(NO_TELEMETRY);
    }
    return all.toArray(new String[0]);
  }

  /** The Jetty server is private to DynamoDBProxyServer and has no getter. */
  private static Server jettyServerOf(DynamoDBProxyServer proxy)
      throws ReflectiveOperationException {
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    return (Server) field.get(proxy);
  }

  private static void watchStandardInput() {
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Input is ignored; only its end matters.
        }
      } catch (IOException ignored) {
        // A broken pipe means the parent is gone, the same as end of input.
      }
      System.exit(0);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void stopQuietly(DynamoDBProxyServer proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      System.err.println("DynamoDB Local did not stop cleanly: " + e);
    }
  }
}
