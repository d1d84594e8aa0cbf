// ES module app: `origin: true` reflects every origin, with cookies.
import express from 'express';
import cors from 'cors';

const app = express();

const corsOptions = {
  origin: true, // expect: CORS202
  credentials: true,
  allowedHeaders: ['Content-Type'],
};

app.use(cors(corsOptions));
app.get('/api/account', (req, res) => res.json({ balance: 42 }));

app.listen(3000);
