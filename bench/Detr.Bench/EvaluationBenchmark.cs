using System.Diagnostics;
using Detr.MLNet.Evaluation;

namespace Detr.Bench;

/// <summary>
/// Times the COCO evaluator on COCO-sized synthetic data: 5,000 images, 80 categories, about 7 objects and 100
/// detections per image (jittered copies of the truth plus random boxes), as the benchmark asks.
/// pycocotools is not installable here, so its time (tens of seconds for COCO val2017) is the reference from its users.
/// </summary>
static class EvaluationBenchmark
{
    public static int Run(int images, int detectionsPerImage, int repeats)
    {
        var random = new Random(1);
        var truth = new List<CocoGroundTruthBox>();
        var detections = new List<CocoDetection>();
        for (int image = 1; image <= images; image++)
        {
            int objects = random.Next(1, 15), forImage = 0;
            for (int o = 0; o < objects; o++)
            {
                double w = 8 + random.NextDouble() * 200, h = 8 + random.NextDouble() * 200, x = random.NextDouble() * 400, y = random.NextDouble() * 400;
                int category = random.Next(1, 81);
                truth.Add(new CocoGroundTruthBox(image, category, x, y, w, h, w * h, random.NextDouble() < 0.01));
                if (forImage++ < detectionsPerImage)
                    detections.Add(new CocoDetection(image, random.NextDouble() < 0.9 ? category : random.Next(1, 81),
                        x + random.NextDouble() * 10 - 5, y + random.NextDouble() * 10 - 5, w * (0.9 + random.NextDouble() * 0.2), h * (0.9 + random.NextDouble() * 0.2), random.NextDouble()));
            }
            while (detections.Count < image * detectionsPerImage)
                detections.Add(new CocoDetection(image, random.Next(1, 81), random.NextDouble() * 400, random.NextDouble() * 400,
                    8 + random.NextDouble() * 200, 8 + random.NextDouble() * 200, random.NextDouble() * 0.5));
        }
        var evaluator = new CocoEvaluator();
        var categories = Enumerable.Range(1, 80).ToArray();
        var imageIds = Enumerable.Range(1, images).ToArray();
        evaluator.Evaluate(truth.Take(1000).ToArray(), detections.Take(10000).ToArray(), imageIds, categories); // warm-up
        var times = new List<double>();
        CocoMetrics? metrics = null;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            metrics = evaluator.Evaluate(truth, detections, imageIds, categories);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        Console.WriteLine($"COCO evaluation: {images} images, {truth.Count} ground-truth boxes, {detections.Count} detections, 80 categories, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  median {times[times.Count / 2]:0.00} s, best {times[0]:0.00} s over {repeats} runs (AP {metrics!.AP:0.000}, AP50 {metrics.AP50:0.000})");
        return 0;
    }
}
