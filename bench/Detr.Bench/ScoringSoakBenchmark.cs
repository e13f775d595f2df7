using System.Diagnostics;
using Detr.MLNet;
using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.Bench;

/// <summary>
/// Scoring under load: several threads, each with its own <see cref="PredictionEngine{TSrc,TDst}"/> over one shared
/// LoadImages → ApplyDetr model (one ONNX Runtime session; the engines do not own it), score a rotation of good and
/// corrupt images for a while.
/// Every prediction is compared with the single-thread one for the same image (bit for bit), every error counted,
/// resident memory sampled each second: no wrong result, no unhandled error, memory flat.
/// </summary>
static class ScoringSoakBenchmark
{
    public static int Run(double minutes, int threads)
    {
        MachineReport.Print();
        string modelPath = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "scoring", "detr_tiny_hf.onnx");
        var folder = Directory.CreateTempSubdirectory("detr-soak-");
        try
        {
            var images = BenchFixtures.DrawImages(folder.FullName).Concat(CorruptImages(folder.FullName)).ToArray();
            var ml = new MLContext(seed: 0);
            var model = ml.Transforms.LoadImages(DetrColumnNames.Image, imageFolder: null, inputColumnName: DetrColumnNames.ImagePath)
                .Append(ml.Transforms.ApplyDetr(new DetrScoringOptions { ModelPath = modelPath, ScoreThreshold = 0, IntraOpThreads = 1, SkipUnreadableImages = true }))
                .Fit(ImageRows.Of(ml, images));
            Console.WriteLine($"\nscoring-soak: {threads} threads, one PredictionEngine each over one model ({Path.GetFileName(modelPath)}), " +
                $"{images.Length} images ({images.Length - 3} good 640×480 PNGs, a truncated PNG, random bytes, an empty file), {minutes:0.#} minutes");

            var reference = new Dictionary<string, Prediction>();
            // Engines that do not own the model: ML.NET's default would close its ONNX Runtime session with the first.
            var shared = new PredictionEngineOptions { OwnsTransformer = false };
            using (var referenceEngine = ml.Model.CreatePredictionEngine<ImageRows, Prediction>(model, shared))
                foreach (string image in images)
                    reference[image] = referenceEngine.Predict(new ImageRows { ImagePath = image });
            Console.WriteLine($"  single-thread reference: {string.Join(", ", images.Select(i => $"{Path.GetFileName(i)} {reference[i].Score.Length}"))} detections");

            GC.Collect();
            long startRss = PeakMemory.StatusBytes("VmRSS"), peakRss = startRss;
            long predictions = 0, mismatches = 0, errors = 0;
            var firstProblems = new List<string>();
            var stop = Stopwatch.StartNew();
            var until = TimeSpan.FromMinutes(minutes);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                using var engine = ml.Model.CreatePredictionEngine<ImageRows, Prediction>(model, shared);
                for (long i = t; stop.Elapsed < until; i++)
                {
                    string image = images[i % images.Length];
                    try
                    {
                        var output = engine.Predict(new ImageRows { ImagePath = image });
                        Interlocked.Increment(ref predictions);
                        if (!output.SameAs(reference[image]))
                            Record(ref mismatches, $"{Path.GetFileName(image)}: differs from the single-thread prediction");
                    }
                    catch (Exception e)
                    {
                        Record(ref errors, $"{Path.GetFileName(image)}: {e.GetType().Name}: {e.Message}");
                    }
                }
            })).ToList();
            void Record(ref long counter, string problem)
            {
                Interlocked.Increment(ref counter);
                lock (firstProblems)
                    if (firstProblems.Count < 5)
                        firstProblems.Add(problem);
            }
            workers.ForEach(w => w.Start());
            var samples = new List<(double Minutes, long Rss)>();
            do
            {
                Thread.Sleep(1000);
                long rss = PeakMemory.StatusBytes("VmRSS");
                peakRss = Math.Max(peakRss, rss);
                samples.Add((stop.Elapsed.TotalMinutes, rss));
            }
            while (workers.Any(w => w.IsAlive)); // at least one sample, however short the run
            workers.ForEach(w => w.Join());
            long endRss = PeakMemory.StatusBytes("VmRSS");

            const double Mb = 1024 * 1024;
            Console.WriteLine($"  {predictions} predictions in {stop.Elapsed.TotalMinutes:F1} minutes ({predictions / stop.Elapsed.TotalSeconds:F1}/s), " +
                $"{mismatches} differing from the single-thread ones, {errors} errors");
            foreach (string problem in firstProblems)
                Console.WriteLine($"    {problem}");
            // The first and last tenth of the run: a leak shows as a rising floor, not as the peaks of a few calls.
            int tenth = Math.Max(1, samples.Count / 10);
            Console.WriteLine($"  resident memory: {startRss / Mb:F0} MB before, {peakRss / Mb:F0} MB peak, {endRss / Mb:F0} MB at the end; " +
                $"median of the first tenth {Statistics.Median(samples.Take(tenth).Select(m => (double)m.Rss).ToList()) / Mb:F0} MB, " +
                $"of the last tenth {Statistics.Median(samples.TakeLast(tenth).Select(m => (double)m.Rss).ToList()) / Mb:F0} MB");
            (model as IDisposable)?.Dispose();
            return mismatches == 0 && errors == 0 ? 0 : 1;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    static IEnumerable<string> CorruptImages(string folder)
    {
        byte[] good = File.ReadAllBytes(Path.Combine(folder, "image0.png"));
        string truncated = Path.Combine(folder, "truncated.png"), noise = Path.Combine(folder, "noise.png"), empty = Path.Combine(folder, "empty.png");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        var random = new Random(5);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        File.WriteAllBytes(noise, bytes);
        File.WriteAllBytes(empty, []);
        return [truncated, noise, empty];
    }

    /// <summary>One row's predictions, as ApplyDetr's columns.</summary>
    sealed class Prediction
    {
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] PredictedBoundingBoxes { get; set; } = [];

        public bool SameAs(Prediction other) => PredictedLabel.SequenceEqual(other.PredictedLabel) && Score.SequenceEqual(other.Score)
            && PredictedBoundingBoxes.SequenceEqual(other.PredictedBoundingBoxes);
    }
}
