package dev.pipit.security;

/** Told of every request the security layer refused for its credential, for metrics. */
@FunctionalInterface
public interface AuthFailureListener {

  /** Listens to nothing. */
  AuthFailureListener NONE = reason -> {};

  /** Why a credential was refused. */
  enum Reason {
    /** No credential where one is needed (401). */
    MISSING("missing"),
    /** An unknown API key (403) or a JWT with a bad signature, issuer or shape (401). */
    INVALID("invalid"),
    /** A known credential without the role the route needs (403). */
    FORBIDDEN("forbidden"),
    /** A JWT past its expiry (401). */
    EXPIRED("expired");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    /** The name metrics use. */
    public String tag() {
      return tag;
    }
  }

  /** A request was refused for {@code reason}. */
  void failed(Reason reason);
}
