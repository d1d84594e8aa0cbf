// The allow-list is written, but cors() is called without it: the cors
// package's defaults apply (Access-Control-Allow-Origin: * on every
// response), not the two origins below.
const express = require('express');
const cors = require('cors');

const app = express();

const corsOptions = { // expect: CORS504
  origin: ['https://dashboard.example.com', 'https://admin.example.com'],
  methods: ['GET', 'POST'],
};

app.use(cors());
app.use(express.json());

app.get('/api/reports', (req, res) => res.json([]));
app.post('/api/reports', (req, res) => res.status(201).json({ id: 1 }));

app.listen(3000);
