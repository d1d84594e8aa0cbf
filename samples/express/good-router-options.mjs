// Per-router CORS with explicit preflight handling (Express 5 catch-all).
import express, { Router } from 'express';
import cors from 'cors';

const app = express();
const api = Router();
const corsOptions = {
  origin: [/^https:\/\/([a-z0-9-]+\.)*example\.com$/],
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: ['Content-Type'],
};

api.options('/{*splat}', cors(corsOptions));
api.get('/projects', cors(corsOptions), (req, res) => res.json([]));
api.patch('/projects/:id', cors(corsOptions), (req, res) => res.sendStatus(204));

app.use('/api', api);
app.listen(3000);
