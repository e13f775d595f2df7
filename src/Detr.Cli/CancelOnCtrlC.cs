namespace Detr.Cli;

/// <summary>Turns Ctrl+C into a cancellation the trainer honours (it saves a resumable checkpoint) instead of killing the process.</summary>
public sealed class CancelOnCtrlC : IDisposable
{
    readonly CancellationTokenSource _source = new();

    CancelOnCtrlC() => Console.CancelKeyPress += OnCancel;

    /// <summary>Starts listening.</summary>
    public static CancelOnCtrlC Create() => new();

    /// <summary>Cancelled by the first Ctrl+C.</summary>
    public CancellationToken Token => _source.Token;

    void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
            return; // a second Ctrl+C ends the process
        e.Cancel = true;
        _source.Cancel();
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }
}
