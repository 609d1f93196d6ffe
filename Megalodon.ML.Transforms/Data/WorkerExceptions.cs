using System.Runtime.ExceptionServices;

namespace Megalodon.ML.Transforms.Data;

/// <summary>
/// ML.NET reads a data view on worker threads when a downstream transform asks for parallel cursors (its
/// splitter/consolidator), and wraps whatever a cursor throws there in <see cref="InvalidOperationException"/>s. Where
/// this library is the reader (a Fit going over its input), it raises the original exception instead, so the user
/// sees the real error (an empty row, with its row and column) rather than ML.NET's wrapper.
/// </summary>
internal static class WorkerExceptions
{
    /// <summary>Runs <paramref name="read"/>, rethrowing the original exception of a worker-wrapped failure.</summary>
    public static T Unwrapped<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException ex) when (Original(ex) is var original && !ReferenceEquals(original, ex))
        {
            ExceptionDispatchInfo.Throw(original);
            throw; // not reached
        }
    }

    /// <summary>The exception inside ML.NET's worker wrappers (itself when it is not wrapped).</summary>
    public static Exception Original(Exception exception)
    {
        while (exception is InvalidOperationException { InnerException: { } inner } && exception.Message.Contains("worker", StringComparison.OrdinalIgnoreCase))
            exception = inner;
        return exception;
    }
}
