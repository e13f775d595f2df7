using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>
/// One ONNX Runtime session held by a model, by the models made from it with other scoring options
/// (<see cref="DetrScoringModel.WithOptions"/>) and by each run in flight; the last holder to let go closes it.
/// </summary>
sealed class SharedInferenceSession(InferenceSession session)
{
    // Native resources made from the session (an IoBinding and its page-locked staging), which ONNX Runtime requires
    // to be released before the session: released here first if their owners have not released them yet.
    readonly List<IDisposable> _dependents = [];
    int _holders = 1;

    public InferenceSession Session => session;

    /// <summary>One more holder; refused once every holder has let go, as the session is closed by then.</summary>
    public SharedInferenceSession Share()
    {
        Hold();
        return this;
    }

    /// <summary>Called once per holder; the last call closes the session.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
            return;
        IDisposable[] dependents;
        lock (_dependents)
        {
            dependents = [.. _dependents];
            _dependents.Clear();
        }
        foreach (var dependent in dependents)
            dependent.Dispose();
        session.Dispose();
    }

    /// <summary>
    /// Registers a resource made from the session, to be disposed before the session closes. Made during a run (under
    /// a <see cref="Lease"/>), so the session is open.
    /// </summary>
    public void Attach(IDisposable dependent)
    {
        lock (_dependents)
            _dependents.Add(dependent);
    }

    /// <summary>Forgets a resource its owner disposed.</summary>
    public void Detach(IDisposable dependent)
    {
        lock (_dependents)
            _dependents.Remove(dependent);
    }

    /// <summary>
    /// The session held for one run: a run in flight keeps it open, and once it is closed a run is refused here.
    /// ONNX Runtime's C# API does not check: running a closed session reads freed native memory and kills the process.
    /// </summary>
    public Lease Run()
    {
        Hold();
        return new Lease(this);
    }

    /// <summary>One run's hold on the session; disposing it lets go.</summary>
    public readonly struct Lease(SharedInferenceSession shared) : IDisposable
    {
        public InferenceSession Session => shared.Session;

        public void Dispose() => shared.Release();
    }

    // A refused hold is taken back, so the count stays at zero: a later hold is refused too, never granted on a closed session.
    void Hold()
    {
        if (Interlocked.Increment(ref _holders) > 1)
            return;
        Interlocked.Decrement(ref _holders);
        throw new ObjectDisposedException(nameof(DetrScoringModel),
            "The DETR model's ONNX Runtime session is closed: the model was disposed, or a PredictionEngine that owned it was " +
            "(ML.NET's PredictionEngine disposes its transformer by default). To share one model between prediction engines, create " +
            "them with new PredictionEngineOptions { OwnsTransformer = false } (or use PredictionEnginePool) and dispose the model last.");
    }
}
