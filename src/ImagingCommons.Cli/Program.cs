using ImagingCommons.Cli;

// Every verb and the exit codes live in IdcCommandLine (the tests run it the same way).
return await IdcCommandLine.RunAsync(args);
