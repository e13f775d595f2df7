using Detr.Training.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// AdamW (decoupled weight decay, β = (0.9, 0.999), ε = 1e-8) exactly as torch.optim.AdamW computes it, with parameter
/// groups. Written here instead of TorchSharp's optimiser because that one creates temporary Scalars the finaliser can
/// free mid-call (training crashed with "Expected false to be true" inside AdamW.step); every Scalar here is held.
/// Its state saves to and loads from safetensors, so checkpoints resume exactly.
/// </summary>
public sealed class DetrAdamW : IDisposable
{
    const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    readonly List<Group> _groups;

    /// <summary>Parameters that share a learning rate and weight decay.</summary>
    public sealed class Group(string name, IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate, double weightDecay)
    {
        /// <summary>The group's name (for logs).</summary>
        public string Name { get; } = name;

        /// <summary>Named parameters updated by this group.</summary>
        public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; } = parameters;

        /// <summary>The group's learning rate before any schedule drop; the schedule scales it.</summary>
        public double BaseLearningRate { get; } = learningRate;

        /// <summary>Current learning rate (the schedule sets it each epoch).</summary>
        public double LearningRate { get; set; } = learningRate;

        /// <summary>Decoupled weight decay.</summary>
        public double WeightDecay { get; } = weightDecay;
    }

    readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _moments = new();
    long _step;

    /// <summary>An optimiser over <paramref name="groups"/>.</summary>
    public DetrAdamW(IEnumerable<Group> groups) => _groups = groups.ToList();

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<Group> Groups => _groups;

    /// <summary>Steps taken (the bias-correction count).</summary>
    public long StepCount => _step;

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var group in _groups)
            foreach (var (_, p) in group.Parameters)
                p.grad?.zero_();
    }

    /// <summary>One update from the current gradients.</summary>
    public void Step()
    {
        _step++;
        using var noGrad = no_grad();
        using var beta1 = Beta1.ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        double biasCorrection1 = 1 - Math.Pow(Beta1, _step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, _step);
        using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        foreach (var group in _groups)
        {
            using var decay = (1 - group.LearningRate * group.WeightDecay).ToScalar();
            using var stepSize = (-group.LearningRate / biasCorrection1).ToScalar();
            foreach (var (name, p) in group.Parameters)
            {
                var grad = p.grad;
                if (grad is null)
                    continue;
                if (!_moments.TryGetValue(name, out var m))
                    _moments[name] = m = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                p.mul_(decay);
                m.ExpAvg.mul_(beta1).add_(grad, oneMinusBeta1);
                m.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
                using var denominator = m.ExpAvgSq.sqrt().div_(sqrtBiasCorrection2).add_(epsilon, HeldScalars.One);
                p.addcdiv_(m.ExpAvg, denominator, stepSize);
            }
        }
    }

    /// <summary>Writes the moments and step count (safetensors, atomic).</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, (avg, sq)) in _moments)
        {
            tensors["exp_avg." + name] = avg;
            tensors["exp_avg_sq." + name] = sq;
        }
        SafetensorsFile.Write(path, tensors, new Dictionary<string, string> { ["step"] = _step.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(string path)
    {
        var (tensors, metadata) = SafetensorsFile.Read(path);
        _step = long.Parse(metadata["step"], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (old, _) in _moments.Values.ToArray())
            old.Dispose();
        _moments.Clear();
        foreach (var group in _groups)
            foreach (var (name, p) in group.Parameters)
                if (tensors.TryGetValue("exp_avg." + name, out var avg) && tensors.TryGetValue("exp_avg_sq." + name, out var sq))
                    _moments[name] = (avg.to(p.device), sq.to(p.device));
    }

    /// <summary>Releases the moment tensors.</summary>
    public void Dispose()
    {
        foreach (var (avg, sq) in _moments.Values)
        {
            avg.Dispose();
            sq.Dispose();
        }
    }
}
