// Express 4 (see package.json): app.options('*') is the documented catch-all.
const express = require('express');
const cors = require('cors');

const app = express();
const corsOptions = { origin: 'https://app.example.com', allowedHeaders: ['Content-Type'] };

app.options('*', cors(corsOptions));
app.get('/api/invoices', cors(corsOptions), (req, res) => res.json([]));
app.put('/api/invoices/:id', cors(corsOptions), (req, res) => res.sendStatus(204));

app.listen(3000);
