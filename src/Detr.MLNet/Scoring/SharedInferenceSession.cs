using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>
/// One ONNX Runtime session held by a model and by the models made from it with other scoring options
/// (<see cref="DetrScoringModel.WithOptions"/>); the last holder to let go closes it.
/// </summary>
sealed class SharedInferenceSession(InferenceSession session)
{
    int _holders = 1;

    public InferenceSession Session => session;

    /// <summary>One more holder; refused once every holder has let go, as the session is closed by then.</summary>
    public SharedInferenceSession Share()
    {
        if (Interlocked.Increment(ref _holders) <= 1)
            throw new ObjectDisposedException(nameof(DetrScoringModel), "The model's ONNX Runtime session is closed.");
        return this;
    }

    /// <summary>Called once per holder; the last call closes the session.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
            session.Dispose();
    }
}
