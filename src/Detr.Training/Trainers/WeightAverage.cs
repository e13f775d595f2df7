using Detr.Training.Modeling;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// An exponential moving average of a model's weights and buffers (batch-norm statistics), updated after every step:
/// average = d·average + (1 − d)·weights with d = <see cref="Decay"/>·(1 − e^(−updates / <see cref="WarmupSteps"/>)),
/// so the first steps are not averaged with the random initialisation (the ramp of YOLOv5's ModelEMA). Short noisy
/// training at a high learning rate ends on a point of its trajectory; the average ends near the middle of the
/// trajectory's last stretch, which scores better. Validation and the exported model use the average.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    readonly (Tensor Live, Tensor Average)[] _pairs;
    readonly Dictionary<string, Tensor> _averages;

    /// <summary>An average of <paramref name="model"/>'s current state with the given decay and warm-up.</summary>
    public WeightAverage(DetectionTransformer model, double decay, double warmupSteps)
    {
        if (decay is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay lies strictly between 0 and 1.");
        if (warmupSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "The warm-up is a positive number of steps.");
        (Decay, WarmupSteps) = (decay, warmupSteps);
        using var _ = no_grad();
        _averages = [];
        var pairs = new List<(Tensor, Tensor)>();
        // Heads shared by several decoder layers appear under several names: one average per tensor.
        foreach (var (name, live) in model.state_dict().DistinctBy(e => e.Value.Handle))
        {
            var average = live.detach().clone();
            _averages[name] = average;
            pairs.Add((live, average));
        }
        _pairs = [.. pairs];
    }

    /// <summary>The decay the average reaches after its warm-up.</summary>
    public double Decay { get; }

    /// <summary>The warm-up's time constant in steps.</summary>
    public double WarmupSteps { get; }

    /// <summary>Updates made so far.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay of the next update.</summary>
    public double CurrentDecay => Decay * (1 - Math.Exp(-(Updates + 1) / WarmupSteps));

    /// <summary>Moves the average towards the model's current weights (call after each optimiser step).</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var keep = CurrentDecay.ToScalar();
        using var take = (1 - CurrentDecay).ToScalar();
        foreach (var (live, average) in _pairs)
        {
            if (average.is_floating_point())
                average.mul_(keep).add_(live, take);
            else
                average.copy_(live); // counters such as num_batches_tracked
        }
        Updates++;
    }

    /// <summary>Copies the average into the model for good (the end of training).</summary>
    public void CopyInto()
    {
        using var _ = no_grad();
        foreach (var (live, average) in _pairs)
            live.copy_(average);
    }

    /// <summary>
    /// Puts the average into the model until the returned scope is disposed, which restores the trained weights (for
    /// validation in the middle of training).
    /// </summary>
    public IDisposable Applied()
    {
        using var _ = no_grad();
        var saved = _pairs.Select(p => p.Live.detach().clone()).ToArray();
        CopyInto();
        return new Restore(_pairs, saved);
    }

    /// <summary>Writes the average and its update count (a checkpoint's part).</summary>
    public void Save(string path) =>
        SafetensorsFile.Write(path, _averages, new Dictionary<string, string> { [UpdatesKey] = Updates.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Reads an average written by <see cref="Save"/> for the same model.</summary>
    public void Load(string path)
    {
        var (tensors, metadata) = SafetensorsFile.Read(path);
        try
        {
            using var _ = no_grad();
            foreach (var (name, average) in _averages)
            {
                if (!tensors.TryGetValue(name, out var saved) || !saved.shape.SequenceEqual(average.shape))
                    throw new InvalidDataException($"{path}: the weight average has no tensor '{name}' of shape [{string.Join(",", average.shape)}]; it was written for another model.");
                average.copy_(saved);
            }
            Updates = metadata.TryGetValue(UpdatesKey, out var updates) && long.TryParse(updates, System.Globalization.CultureInfo.InvariantCulture, out long count)
                ? count : throw new InvalidDataException($"{path}: the weight average does not say how many updates it holds ('{UpdatesKey}').");
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }

    const string UpdatesKey = "detr.ema_updates";

    /// <summary>Releases the averaged tensors.</summary>
    public void Dispose()
    {
        foreach (var average in _averages.Values)
            average.Dispose();
    }

    sealed class Restore((Tensor Live, Tensor Average)[] pairs, Tensor[] saved) : IDisposable
    {
        public void Dispose()
        {
            using var _ = no_grad();
            for (int i = 0; i < pairs.Length; i++)
            {
                pairs[i].Live.copy_(saved[i]);
                saved[i].Dispose();
            }
        }
    }
}
