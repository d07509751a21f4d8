using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>This project's one notice when its PostgreSQL store tests are not run.</summary>
public sealed class PostgresAvailabilityTests : PostgresAvailability;
