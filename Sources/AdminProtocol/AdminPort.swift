/// Where the admin protocol is served unless configured otherwise: the server listens there (`server.port`) and
/// the client connects there when an address names no port. Stated once, here, for both.
public enum AdminPort {
    /// The TCP port, 7411.
    public static let standard = 7411
}
