namespace ImagingCommons.Server.Hosting;

/// <summary>The server cannot start as configured; the message says why and what to do (no stack trace needed).</summary>
public sealed class ServerStartupException(string message) : Exception(message);
