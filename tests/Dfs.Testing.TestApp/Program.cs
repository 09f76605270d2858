using System.Runtime.InteropServices;

// A tiny process for the harness's own tests: it prints what it is asked to and reacts to signals the way
// a node does (SIGTERM: orderly shutdown with a final line and exit code 0).
var mode = args.Length > 0 ? args[0] : "serve";
switch (mode)
{
    case "serve":
        {
            using var stop = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            Console.Error.WriteLine("starting");
            Console.WriteLine($"ready pid={Environment.ProcessId} greeting={Environment.GetEnvironmentVariable("DFS_TEST_GREETING") ?? "none"}");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stopping on SIGTERM");
            }

            return 0;
        }

    case "lines":
        {
            var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
            {
                Console.WriteLine($"line {i}");
            }

            return 0;
        }

    case "exit":
        Console.WriteLine("exiting");
        return int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);

    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}
