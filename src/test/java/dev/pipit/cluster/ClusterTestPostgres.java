package dev.pipit.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL server for the cluster tests, started once per JVM, with a fresh database per
 * {@link #newDatabase()} call. Where it comes from, in order: {@code PIPIT_TEST_POSTGRES_URL} (with
 * {@code _USERNAME}/{@code _PASSWORD}); a Testcontainers PostgreSQL where Docker runs (GitHub
 * Actions); else Debian's PostgreSQL binaries ({@code bin/fetch-assets --test} installs them),
 * initdb'd into a temp dir and started on loopback on a free port, as the {@code postgres} user
 * when the tests run as root (the server refuses root). None of them with {@code CI=true} is a
 * failure.
 */
public final class ClusterTestPostgres {

  /** Where a database is and how to log in. */
  public record Database(String url, String username, String password) {

    public PGSimpleDataSource dataSource() {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(url);
      ds.setUser(username);
      ds.setPassword(password);
      return ds;
    }

    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }
  }

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static Server server;

  private ClusterTestPostgres() {}

  /** A fresh, empty database on the shared server. */
  public static synchronized Database newDatabase() {
    Server s = server();
    String name = "pipit_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(s.adminUrl(), s.username(), s.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    return new Database(s.urlOf(name), s.username(), s.password());
  }

  /**
   * Makes the server unreachable (a local server is stopped, a container paused) until {@link
   * #resume()}. An external server cannot be interrupted.
   */
  public static synchronized void interrupt() {
    switch (server()) {
      case LocalServer local -> local.stopServer();
      case ContainerServer c ->
          c.container().getDockerClient().pauseContainerCmd(c.container().getContainerId()).exec();
      default -> throw new IllegalStateException("an external PostgreSQL cannot be interrupted");
    }
  }

  /** Makes the server reachable again after {@link #interrupt()}. */
  public static synchronized void resume() {
    switch (server()) {
      case LocalServer local -> local.startServer();
      case ContainerServer c ->
          c.container()
              .getDockerClient()
              .unpauseContainerCmd(c.container().getContainerId())
              .exec();
      default -> throw new IllegalStateException("an external PostgreSQL cannot be interrupted");
    }
  }

  private static Server server() {
    if (server == null) {
      server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    }
    return server;
  }

  private static Server start() {
    String url = System.getenv("PIPIT_TEST_POSTGRES_URL");
    if (url != null && !url.isBlank()) {
      return new ExternalServer(
          url,
          System.getenv().getOrDefault("PIPIT_TEST_POSTGRES_USERNAME", "postgres"),
          System.getenv().getOrDefault("PIPIT_TEST_POSTGRES_PASSWORD", ""));
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
      container.start();
      return new ContainerServer(container);
    }
    Path bin = localBinaries();
    if (bin != null) {
      return LocalServer.start(bin);
    }
    String why =
        "no PostgreSQL for the cluster tests: set PIPIT_TEST_POSTGRES_URL, run Docker, or install"
            + " Debian postgresql (bin/fetch-assets --test)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(why);
    }
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static Path localBinaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(Path::toString))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private interface Server {
    String adminUrl();

    String urlOf(String database);

    String username();

    String password();

    void stop();
  }

  private record ExternalServer(String adminUrl, String username, String password)
      implements Server {
    @Override
    public String urlOf(String database) {
      int slash = adminUrl.lastIndexOf('/');
      return adminUrl.substring(0, slash + 1) + database;
    }

    @Override
    public void stop() {}
  }

  private record ContainerServer(PostgreSQLContainer container) implements Server {
    @Override
    public String adminUrl() {
      return container.getJdbcUrl();
    }

    @Override
    public String urlOf(String database) {
      return "jdbc:postgresql://"
          + container.getHost()
          + ":"
          + container.getMappedPort(5432)
          + "/"
          + database;
    }

    @Override
    public String username() {
      return container.getUsername();
    }

    @Override
    public String password() {
      return container.getPassword();
    }

    @Override
    public void stop() {
      container.stop();
    }
  }

  /** Debian's PostgreSQL in a temp dir on a free loopback port; can be stopped and restarted. */
  public static final class LocalServer implements Server {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private LocalServer(Path bin, Path dir, int port, boolean asPostgresUser) {
      this.bin = bin;
      this.dir = dir;
      this.port = port;
      this.asPostgresUser = asPostgresUser;
    }

    static LocalServer start(Path bin) {
      try {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("pipit-pg-");
        if (root) {
          run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        LocalServer server = new LocalServer(bin, dir, freePort(), root);
        run(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-U",
                "pipit",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8"),
            root);
        server.startServer();
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public int port() {
      return port;
    }

    /** Starts the server (again) and waits until it accepts connections. */
    public void startServer() {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "60",
              "-o",
              "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200",
              "start"),
          asPostgresUser);
    }

    /** Stops the server immediately (connections are cut). */
    public void stopServer() {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          asPostgresUser);
    }

    @Override
    public String adminUrl() {
      return urlOf("postgres");
    }

    @Override
    public String urlOf(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public String username() {
      return "pipit";
    }

    @Override
    public String password() {
      return "";
    }

    @Override
    public void stop() {
      try {
        stopServer();
      } catch (RuntimeException ignored) {
        // Already stopped by a test.
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // A temp dir left behind is harmless.
      }
    }

    private static void run(List<String> command, boolean asPostgres) {
      List<String> full = new ArrayList<>();
      if (asPostgres) {
        full.addAll(List.of("runuser", "-u", "postgres", "--"));
      }
      full.addAll(command);
      try {
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("failed: " + String.join(" ", full) + "\n" + out);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }
}
