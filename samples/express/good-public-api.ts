// A public, read-only API in TypeScript: '*' without credentials is fine.
import express, { Request, Response } from 'express';
import cors, { CorsOptions } from 'cors';

const app = express();

const corsOptions: CorsOptions = {
  origin: '*',
  methods: ['GET', 'HEAD'],
};

app.use(cors(corsOptions));
app.get('/v1/weather/:city', (req: Request, res: Response) => {
  res.json({ city: req.params.city, celsius: 21 });
});

app.listen(Number(process.env.PORT ?? 8080));
