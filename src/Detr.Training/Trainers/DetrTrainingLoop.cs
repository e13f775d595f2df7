using System.Diagnostics;
using Detr.MLNet.Preprocessing;
using Detr.Training.Augmentation;
using Detr.Training.Losses;
using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// The training loop around <see cref="DetrTrainingStep"/>: shuffling, augmentation, padded batches, step decay of the
/// learning rates, checkpoints and validation, every step inside a dispose scope. Randomness is derived from (seed, epoch, sample) and (seed, step), so a run
/// resumed from any checkpoint continues exactly as it would have.
/// </summary>
sealed class DetrTrainingLoop(DetectionTransformer model, IReadOnlyList<DetectionSample> train, IReadOnlyList<DetectionSample>? validation,
    IReadOnlyList<string> labels, DetrTrainerOptions options, Device device)
{
    readonly List<DetrTrainingProgress> _history = [];

    public DetrTrainingResult Run()
    {
        if (options.BatchSize < 1 || options.Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "BatchSize and Epochs must be at least 1.");
        using var training = new DetrTrainingStep(model, options);
        var optimizer = training.Optimizer;
        var augmentation = options.Augmentation;

        var position = new TrainingCheckpoint.Position(0, 0, 0, options.Seed);
        string? resumeFrom = options.Resume && options.CheckpointDirectory is string dir && TrainingCheckpoint.Exists(dir) ? dir : null;
        if (resumeFrom is not null)
            position = TrainingCheckpoint.Restore(resumeFrom, model, optimizer);
        using var average = options.WeightAverageDecay is double decay ? new WeightAverage(model, decay, options.WeightAverageWarmupSteps) : null;
        if (resumeFrom is not null && average is not null)
            TrainingCheckpoint.RestoreAverage(resumeFrom, average);
        _average = average;

        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var clock = Stopwatch.StartNew();
        long stepsThisRun = 0;
        long global = position.GlobalStep;
        for (int epoch = position.Epoch; epoch < options.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            new Random(Mix(options.Seed, epoch, -1)).Shuffle(order);
            model.train();
            int firstStep = epoch == position.Epoch ? position.Step : 0;
            var epochClock = Stopwatch.StartNew();
            int imagesThisEpoch = 0;
            for (int step = firstStep; step < stepsPerEpoch; step++)
            {
                if (options.CancellationToken.IsCancellationRequested)
                {
                    SaveCheckpoint(optimizer, new(epoch, step, global, options.Seed));
                    options.CancellationToken.ThrowIfCancellationRequested();
                }
                if (_timeFactor == 1 && options.MaxTrainingTime is TimeSpan limit && options.LearningRateDropAtTimeFraction is double fraction
                    && clock.Elapsed >= limit * fraction)
                    _timeFactor = 0.1;
                SetLearningRates(optimizer, epoch, global);
                var indices = order.Skip(step * options.BatchSize).Take(options.BatchSize).ToArray();
                var samples = indices.Select(i => new DetrTrainAugmentation(augmentation, new Random(Mix(options.Seed, epoch, i))).Apply(train, i)).ToList();
                var (total, terms) = TrainStep(training, samples, global, epoch, step);
                global++;
                stepsThisRun++;
                imagesThisEpoch += samples.Count;
                double perSecond = imagesThisEpoch / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                long stepsLeft = (long)(options.Epochs - epoch - 1) * stepsPerEpoch + (stepsPerEpoch - step - 1);
                Report(new DetrTrainingProgress
                {
                    Epoch = epoch + 1, Epochs = options.Epochs, Step = step + 1, StepsPerEpoch = stepsPerEpoch, GlobalStep = global,
                    Loss = total, Terms = terms, LearningRate = optimizer.Groups[0].LearningRate,
                    ImagesPerSecond = perSecond, SkippedSteps = _skippedSteps,
                    Remaining = Remaining(clock.Elapsed, stepsThisRun, stepsLeft),
                });
                if (options.MaxTrainingTime is TimeSpan budget && clock.Elapsed >= budget)
                {
                    var next = step + 1 < stepsPerEpoch ? new TrainingCheckpoint.Position(epoch, step + 1, global, options.Seed)
                        : new TrainingCheckpoint.Position(epoch + 1, 0, global, options.Seed);
                    SaveCheckpoint(optimizer, next);
                    average?.CopyInto();
                    RecalibrateBatchNorm();
                    return new DetrTrainingResult(_history, next.Epoch, global, StoppedByTimeLimit: true);
                }
            }
            SaveCheckpoint(optimizer, new(epoch + 1, 0, global, options.Seed));
            if (validation is { Count: > 0 } && (epoch + 1) % Math.Max(1, options.ValidateEveryEpochs) == 0)
                Validate(training.Criterion, epoch, stepsPerEpoch, global);
        }
        average?.CopyInto();
        RecalibrateBatchNorm();
        return new DetrTrainingResult(_history, options.Epochs, global, StoppedByTimeLimit: false);
    }

    // The weight average of this run, when the options ask for one.
    WeightAverage? _average;

    (double Total, IReadOnlyDictionary<string, double> Terms) TrainStep(DetrTrainingStep training, IReadOnlyList<DetectionSample> samples,
        long global, int epoch, int step)
    {
        using var scope = NewDisposeScope();
        manual_seed(Mix(options.Seed, (int)(global % int.MaxValue), -2)); // dropout draws depend on the step only
        using var batch = TrainingBatch.Create(samples, ImageNetNormalization.ImageNet, device);
        var targets = batch.Targets.Select(t => new DetrTarget(t.Labels, t.Boxes)).ToList();
        var result = training.Run(batch.Images, batch.Mask, targets);
        if (!double.IsFinite(result.Total))
            throw Diverged(result.Total, epoch, step, global);
        if (!training.SkippedForNonFiniteGradients)
        {
            _average?.Update();
            _consecutiveSkips = 0;
            return result;
        }
        _skippedSteps++;
        if (++_consecutiveSkips >= MaxConsecutiveSkips)
            throw Diverged(double.NaN, epoch, step, global, $"The gradients were non-finite in {MaxConsecutiveSkips} steps in a row (those steps were skipped)");
        return result;
    }

    // A step with non-finite gradients is skipped (weights untouched); this many in a row means training has diverged.
    const int MaxConsecutiveSkips = 3;
    int _consecutiveSkips;
    long _skippedSteps;

    DetrTrainingDivergedException Diverged(double value, int epoch, int step, long global, string? what = null)
    {
        string where = options.CheckpointDirectory is null ? "no checkpoint directory was set" : $"the last good checkpoint is in {TrainingCheckpoint.PathIn(options.CheckpointDirectory)}";
        what ??= double.IsNaN(value) ? "The model's outputs or loss became NaN" : $"The loss became {value}";
        return new DetrTrainingDivergedException(
            $"{what} at epoch {epoch + 1}, step {step + 1} (global step {global + 1}); {where}. " +
            "Lower the learning rate, check the boxes and labels of that batch, or tighten the gradient clipping.");
    }

    void Validate(SetCriterion criterion, int epoch, int stepsPerEpoch, long global)
    {
        using var averaged = _average?.Applied();
        model.eval();
        double sum = 0;
        var terms = new Dictionary<string, double>();
        var augmentation = new DetrTrainAugmentation(options.Augmentation, new Random(0));
        var detections = new ValidationDetections(model.Architecture.NumClasses, model.Architecture.Classification);
        for (int start = 0; start < validation!.Count; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var originals = validation.Skip(start).Take(options.BatchSize).ToList();
            var samples = originals.Select(augmentation.ApplyForEvaluation).ToList();
            using var batch = TrainingBatch.Create(samples, ImageNetNormalization.ImageNet, device);
            var outputs = model.forward(batch.Images, batch.Mask);
            detections.Add(outputs, originals);
            var losses = criterion.Forward(outputs, batch.Targets.Select(t => new DetrTarget(t.Labels, t.Boxes)).ToList());
            sum += criterion.Total(losses).item<float>() * samples.Count;
            foreach (var (key, value) in losses)
                terms[key] = terms.GetValueOrDefault(key) + value.item<float>() * samples.Count;
        }
        model.train();
        var last = _history.LastOrDefault();
        var validationMetrics = terms.ToDictionary(t => t.Key, t => t.Value / validation.Count);
        validationMetrics["loss"] = sum / validation.Count;
        foreach (var (name, value) in detections.Evaluate().ToNamedStats())
            validationMetrics[name] = value;
        Report(new DetrTrainingProgress
        {
            Epoch = epoch + 1, Epochs = options.Epochs, Step = stepsPerEpoch, StepsPerEpoch = stepsPerEpoch, GlobalStep = global,
            Loss = last?.Loss ?? double.NaN, Terms = last?.Terms ?? new Dictionary<string, double>(), LearningRate = last?.LearningRate ?? options.LearningRate,
            ImagesPerSecond = last?.ImagesPerSecond ?? 0, Remaining = last?.Remaining ?? TimeSpan.Zero, Validation = validationMetrics,
        });
    }

    // Running statistics from evenly spaced training images through the current weights, as evaluation will see them.
    void RecalibrateBatchNorm()
    {
        int count = Math.Min(options.BatchNormRecalibrationImages, train.Count);
        if (count <= 0)
            return;
        var augmentation = new DetrTrainAugmentation(options.Augmentation, new Random(0));
        var picked = Enumerable.Range(0, count).Select(k => train[(int)((long)k * train.Count / count)]).Chunk(options.BatchSize).ToArray();
        BatchNormRecalibration.Recalibrate(model.Backbone, picked.Length, k =>
        {
            var batch = TrainingBatch.Create(picked[k].Select(augmentation.ApplyForEvaluation).ToList(), ImageNetNormalization.ImageNet, device);
            return (batch.Images, batch.Mask);
        });
    }

    // The epochs left at this run's pace, or the time budget left when that comes first.
    TimeSpan Remaining(TimeSpan elapsed, long stepsThisRun, long stepsLeft)
    {
        var estimate = TimeSpan.FromSeconds(stepsThisRun == 0 ? 0 : elapsed.TotalSeconds / stepsThisRun * stepsLeft);
        return options.MaxTrainingTime is TimeSpan budget && budget - elapsed < estimate ? (budget - elapsed).Duration() : estimate;
    }

    // 0.1 once the time-budget drop (LearningRateDropAtTimeFraction) has happened in this run.
    double _timeFactor = 1;

    void SetLearningRates(DetrAdamW optimizer, int epoch, long global)
    {
        double factor = LearningRateSchedule.Warmup(global, options.WarmupSteps)
            * LearningRateSchedule.At(1, epoch, options.LearningRateDropEpochs) * _timeFactor;
        foreach (var group in optimizer.Groups)
            group.LearningRate = group.BaseLearningRate * factor;
    }

    void SaveCheckpoint(DetrAdamW optimizer, TrainingCheckpoint.Position position)
    {
        if (options.CheckpointDirectory is string directory)
            TrainingCheckpoint.Save(directory, model, labels, optimizer, position, _average);
    }

    void Report(DetrTrainingProgress progress)
    {
        _history.Add(progress);
        options.Progress?.Report(progress);
    }

    // Deterministic seed mixing (HashCode.Combine is randomised per process).
    static int Mix(int seed, int a, int b) => unchecked(((seed * 1_000_003) ^ (a * 7_919)) * 31 + b);
}
