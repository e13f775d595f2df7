return Detr.Cli.DetrCommandLine.Run(args, Console.Out, Console.Error);
